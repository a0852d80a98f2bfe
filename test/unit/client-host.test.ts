import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAddress, DEFAULT_HOST } from '../../src/client/host.js';
import { buildQuery } from '../../src/client/transport.js';
import { encodeFilters } from '../../src/client/engine-client.js';
import { DaemonError, daemonMessage } from '../../src/client/errors.js';

test('host order: -H, then BERTH_HOST, then the default socket (DOCKER_HOST is docker\'s)', () => {
  assert.equal(resolveAddress({ host: 'unix:///a.sock' }, { BERTH_HOST: 'unix:///b.sock' }).url, 'unix:///a.sock');
  assert.equal(resolveAddress({}, { BERTH_HOST: 'unix:///b.sock', DOCKER_HOST: 'unix:///c.sock' }).url, 'unix:///b.sock');
  assert.equal(resolveAddress({}, { DOCKER_HOST: 'unix:///c.sock' }).url, DEFAULT_HOST);
  const d = resolveAddress({}, {});
  assert.equal(d.url, DEFAULT_HOST);
  assert.deepEqual(d, { kind: 'unix', url: 'unix:///run/berth/berth.sock', path: '/run/berth/berth.sock' });
});

test('tcp with TLS from flags or DOCKER_TLS_VERIFY/DOCKER_CERT_PATH', () => {
  const plain = resolveAddress({ host: 'tcp://127.0.0.1:2375' }, {});
  assert.equal(plain.kind === 'tcp' && plain.tls, undefined);
  const env = resolveAddress({ host: 'tcp://10.0.0.1' }, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' });
  assert.ok(env.kind === 'tcp');
  if (env.kind === 'tcp') {
    assert.equal(env.port, 2376);
    assert.deepEqual(env.tls, { verify: true, ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem' });
  }
  const flags = resolveAddress({ host: 'tcp://h:1234', tlsVerify: true, tlsCaCert: '/x/ca', tlsCert: '/x/c', tlsKey: '/x/k' }, {});
  assert.ok(flags.kind === 'tcp' && flags.tls?.verify && flags.tls.ca === '/x/ca' && flags.port === 1234);
});

test('query and filters encoding as the docker CLI sends them', () => {
  assert.equal(buildQuery({ all: true, size: false, limit: 3, name: 'a b', x: undefined }), '?all=1&limit=3&name=a%20b');
  assert.equal(encodeFilters({ label: ['a=b'], status: ['exited', 'created'] }), '{"label":{"a=b":true},"status":{"exited":true,"created":true}}');
  assert.equal(encodeFilters({}), undefined);
  assert.equal(buildQuery({ names: ['busybox', 'a/b:1'], quiet: true }), '?names=busybox&names=a%2Fb%3A1&quiet=1');
});

test('daemon errors print as docker does', () => {
  assert.equal(daemonMessage(404, '{"message":"No such container: x"}\n'), 'No such container: x');
  assert.equal(daemonMessage(500, 'plain text'), 'plain text');
  assert.equal(new DaemonError(404, 'No such image: y').message, 'Error response from daemon: No such image: y');
});
