// Legacy links (`docker run --link target:alias`), each behaviour first checked against a reference dockerd
// 20.10 and pinned here against a real berthd with the real docker CLI: the ALIAS_* variables, /etc/hosts,
// HostConfig.Links and the link names in inspect and ps, dockerd's errors, rename, `rm --link`, a target
// that comes back with a new address, a removed target, and links on a user-defined network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dockerFails, dockerOk, startDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => {
  d?.docker(['network', 'rm', 'links-net']);
  await d?.stop();
});

const ok = (args: string[]): string => dockerOk(d, args);

const fails = (args: string[]): string => dockerFails(d, args);

const ipOf = (name: string) => ok(['inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', name]).trim();
const shortId = (name: string) => ok(['inspect', '-f', '{{.Id}}', name]).trim().slice(0, 12);

test('run --link on the default bridge: ALIAS_* variables, an /etc/hosts line, Links in inspect, the link name in ps', async () => {
  ok(['run', '-d', '--name', 'db', '-e', 'FOO=bar', '--expose', '80', '--expose', '53/udp', 'busybox', 'sleep', '300']);
  const ip = ipOf('db');
  const out = ok(['run', '--rm', '--name', 'web', '--link', 'db:al', 'busybox', 'sh', '-c', 'env; cat /etc/hosts']);
  for (const line of [
    `AL_PORT=udp://${ip}:53`, `AL_PORT_80_TCP=tcp://${ip}:80`, `AL_PORT_80_TCP_ADDR=${ip}`, 'AL_PORT_80_TCP_PORT=80',
    'AL_PORT_80_TCP_PROTO=tcp', `AL_PORT_53_UDP=udp://${ip}:53`, 'AL_NAME=/web/al', 'AL_ENV_FOO=bar',
    `${ip}\tal ${shortId('db')} db`,
  ]) assert.ok(out.split('\n').includes(line), `missing ${JSON.stringify(line)} in:\n${out}`);
  assert.ok(!/^AL_ENV_PATH=/m.test(out), 'PATH and HOME of the target are not passed on');

  ok(['run', '-d', '--name', 'app', '--link', 'db:al', '--add-host', 'foo:1.2.3.4', 'busybox', 'sleep', '300']);
  assert.equal(ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'app']).trim(), '["/db:/app/al"]');
  // As dockerd orders them: --add-host entries, then links, then the container's own address.
  const hosts = ok(['exec', 'app', 'cat', '/etc/hosts']).trim().split('\n').slice(-3);
  assert.deepEqual(hosts.slice(0, 2), ['1.2.3.4\tfoo', `${ip}\tal ${shortId('db')} db`]);
  assert.ok(/^AL_NAME=\/app\/al$/m.test(ok(['exec', 'app', 'env'])), 'an exec gets the links\' variables too');
  // The link name is a name of the target: in the list (sorted, as dockerd) and as a reference.
  const list = JSON.parse((await d.api('GET', '/v1.41/containers/json')).body) as Array<{ Names: string[] }>;
  assert.ok(list.some((c) => JSON.stringify(c.Names) === '["/app/al","/db"]'), JSON.stringify(list.map((c) => c.Names)));
  assert.equal(ok(['inspect', '-f', '{{.Name}}', 'app/al']).trim(), '/db');
});

test('dockerd\'s errors: a missing target (400), host networking, a target that is not running (500 at start)', async () => {
  assert.match(fails(['run', '--rm', '--link', 'nope:x', 'busybox', 'true']), /could not get container for nope: No such container: nope/);
  const r = await d.api('POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { Links: ['nope:x'] } });
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.body).message, 'could not get container for nope: No such container: nope');
  assert.match(fails(['create', '--network', 'host', '--link', 'db:x', 'busybox', 'true']), /conflicting options: host type networking can't be used with links/);

  ok(['create', '--name', 'stopped', 'busybox', 'sleep', '300']);
  assert.match(fails(['run', '--rm', '--name', 'gone', '--link', 'stopped:x', 'busybox', 'true']), /Cannot link to a non running container: \/stopped AS \/gone\/x/);
  assert.equal(ok(['ps', '-aq', '--filter', 'name=^gone$']).trim(), '', 'the --rm container went with its failed start');
  ok(['create', '--name', 'waits', '--link', 'stopped:x', 'busybox', 'true']);
  const start = await d.api('POST', '/v1.41/containers/waits/start');
  assert.equal(start.status, 500);
  assert.equal(JSON.parse(start.body).message, 'Cannot link to a non running container: /stopped AS /waits/x');
  assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'waits']).trim(), 'created 128');
  ok(['rm', 'waits', 'stopped']);
});

test('rename keeps links; rm --link removes one (and its /etc/hosts line); a restarted target\'s new address reaches the parent', async () => {
  ok(['rename', 'db', 'db2']);
  ok(['rename', 'app', 'app2']);
  assert.equal(ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'app2']).trim(), '["/db2:/app2/al"]');
  ok(['restart', '-t', '0', 'app2']);
  assert.ok(/^AL_NAME=\/app2\/al$/m.test(ok(['exec', 'app2', 'env'])));

  // The target comes back (on this bridge, from the ready-namespace pool: likely another address).
  ok(['restart', '-t', '0', 'db2']);
  const line = `${ipOf('db2')}\tal ${shortId('db2')} db2`;
  let hosts = '';
  for (let i = 0; i < 50 && !hosts.includes(line); i++) {
    hosts = ok(['exec', 'app2', 'cat', '/etc/hosts']);
    if (!hosts.includes(line)) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(hosts.includes(line), `parent's hosts do not follow the target:\n${hosts}`);

  assert.match(fails(['rm', '--link', 'db2']), /Conflict, cannot remove the default link name of the container/);
  const missing = await d.api('DELETE', '/v1.41/containers/nope/x?link=1');
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.body).message, 'No such container: nope/x');
  assert.equal(ok(['rm', '--link', 'app2/al']).trim(), 'app2/al');
  assert.equal(ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'app2']).trim(), 'null');
  assert.ok(!ok(['exec', 'app2', 'cat', '/etc/hosts']).includes('\tal '), 'the link\'s line left the running parent\'s /etc/hosts');
  assert.ok(!/^AL_/m.test(ok(['exec', 'app2', 'env'])));
  assert.equal(ok(['ps', '-q', '--filter', 'name=^db2$']).trim().length, 12, 'rm --link leaves the target alone');
});

test('a removed target stays linked, as in dockerd: the parent does not start again without it', () => {
  ok(['run', '-d', '--name', 't5', 'busybox', 'sleep', '300']);
  ok(['run', '-d', '--name', 'p5', '--link', 't5:a5', 'busybox', 'sleep', '300']);
  ok(['rm', '-f', 't5']);
  assert.equal(ok(['inspect', '-f', '{{json .HostConfig.Links}}', 'p5']).trim(), '["/t5:/p5/a5"]');
  assert.match(fails(['restart', '-t', '0', 'p5']), /Cannot link to a non running container: \/t5 AS \/p5\/a5/);
  ok(['rm', '-f', 'p5']);
});

test('on a user-defined network --link is an alias the parent resolves; a missing target is accepted there, as by dockerd', () => {
  ok(['network', 'create', 'links-net']);
  ok(['run', '-d', '--name', 'udb', '--network', 'links-net', 'busybox', 'sleep', '300']);
  ok(['run', '-d', '--name', 'uweb', '--network', 'links-net', '--link', 'udb:dbalias', 'busybox', 'sleep', '300']);
  const ip = ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "links-net").IPAddress}}', 'udb']).trim();
  assert.ok(ok(['exec', 'uweb', 'cat', '/etc/hosts']).split('\n').includes(`${ip}\tdbalias`));
  assert.equal(ok(['exec', 'uweb', 'sh', '-c', 'ping -c1 -W5 dbalias >/dev/null && echo reached']).trim(), 'reached');
  assert.equal(ok(['inspect', '-f', '{{json .HostConfig.Links}} {{json (index .NetworkSettings.Networks "links-net").Links}}', 'uweb']).trim(), 'null ["udb:dbalias"]');
  assert.match(fails(['run', '--rm', '--link', 'udb:x', 'busybox', 'true']), /Cannot link to \/udb, as it does not belong to the default network/);
  ok(['run', '--rm', '--network', 'links-net', '--link', 'nope:x', 'busybox', 'true']);
  ok(['rm', '-f', 'uweb', 'udb']);
});
