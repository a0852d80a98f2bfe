// Legacy links' rules (src/engine/containers/links.ts), pinned to what a reference dockerd 20.10 printed for
// the same containers: the ALIAS_* variables (ranges of contiguous ports included), link parsing and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkEnvVars, parseLink } from '../../src/engine/containers/links.js';
import { isBerthError } from '../../src/errors.js';

test('linkEnvVars: the default port, each port, NAME and ENV_ as dockerd (lowest port first, tcp before udp)', () => {
  const env = linkEnvVars('/ls1/al', '10.99.0.2', ['FOO=bar', 'X=1', 'PATH=/bin', 'HOME=/', 'BARE'], { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(env, [
    'AL_PORT=udp://10.99.0.2:53',
    'AL_PORT_53_UDP=udp://10.99.0.2:53', 'AL_PORT_53_UDP_ADDR=10.99.0.2', 'AL_PORT_53_UDP_PORT=53', 'AL_PORT_53_UDP_PROTO=udp',
    'AL_PORT_80_TCP=tcp://10.99.0.2:80', 'AL_PORT_80_TCP_ADDR=10.99.0.2', 'AL_PORT_80_TCP_PORT=80', 'AL_PORT_80_TCP_PROTO=tcp',
    'AL_NAME=/ls1/al', 'AL_ENV_FOO=bar', 'AL_ENV_X=1',
  ]);
});

test('linkEnvVars: three or more contiguous ports get _START/_END as dockerd writes them; the alias is upper-cased, - becomes _', () => {
  const env = linkEnvVars('/p/my-al.x', '10.0.0.6', ['A=b=c', 'EMPTY='], { '8000/tcp': {}, '8001/tcp': {}, '8002/tcp': {}, '9000/tcp': {}, '8001/udp': {} });
  // After processEnv's replace-in-place, this is exactly the order dockerd's container printed.
  assert.deepEqual(env.slice(0, 7), [
    'MY_AL.X_PORT=tcp://10.0.0.6:8000',
    'MY_AL.X_PORT_8000_TCP_START=tcp://10.0.0.6:8000', 'MY_AL.X_PORT_8000_TCP_ADDR=10.0.0.6', 'MY_AL.X_PORT_8000_TCP_PROTO=tcp',
    'MY_AL.X_PORT_8000_TCP_PORT_START=8000', 'MY_AL.X_PORT_8000_TCP_END=tcp://10.0.0.6:8002', 'MY_AL.X_PORT_8000_TCP_PORT_END=8002',
  ]);
  assert.ok(env.includes('MY_AL.X_PORT_8001_UDP=udp://10.0.0.6:8001'));
  assert.ok(env.includes('MY_AL.X_PORT_9000_TCP_PROTO=tcp'));
  assert.deepEqual(env.slice(-3), ['MY_AL.X_NAME=/p/my-al.x', 'MY_AL.X_ENV_A=b=c', 'MY_AL.X_ENV_EMPTY=']);
});

test('linkEnvVars: no exposed ports, no _PORT variables', () => {
  assert.deepEqual(linkEnvVars('/p/db', '10.0.0.2', [], undefined), ['DB_NAME=/p/db']);
});

test('parseLink: name:alias, name alone, /name:/parent/alias, and dockerd\'s errors', () => {
  assert.deepEqual(parseLink('db:database'), { name: 'db', alias: 'database' });
  assert.deepEqual(parseLink('db'), { name: 'db', alias: 'db' });
  assert.deepEqual(parseLink('/db:/web/database'), { name: 'db', alias: 'database' });
  assert.throws(() => parseLink('a:b:c'), (e: unknown) => isBerthError(e, 'internal') && /^bad format for links: a:b:c$/.test((e as Error).message));
  assert.throws(() => parseLink(''), (e: unknown) => isBerthError(e, 'invalid-argument'));
});
