// Container network options through the real docker CLI: --internal networks, --ip/--ip-range,
// --mac-address, --dns/--dns-search/--add-host/--hostname, --network container:<id>, network events,
// a stopped container's released address, prune, and the berth CLI's twins of the docker verbs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startDaemon, DOCKER, type TestDaemon } from '../helpers/daemon.js';

const BRIDGE = `bt6-${process.pid % 100000}`;
let d: TestDaemon;

before(async () => { d = await startDaemon(['--bridge', BRIDGE, '--bip', '10.220.0.1/24', '--default-address-pool', 'base=10.221.0.0/16,size=24']); });
after(async () => { await d?.stop(); });

function ok(args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

test('--internal network with --subnet/--gateway/--ip-range, and --ip/--mac-address/--dns/--add-host/--hostname', () => {
  ok(['network', 'create', '--internal', '--subnet', '10.222.0.0/24', '--gateway', '10.222.0.254', '--ip-range', '10.222.0.128/25', 'n6int']);
  assert.equal(ok(['network', 'inspect', '-f', '{{.Internal}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}} {{.IPRange}}{{end}}', 'n6int']).trim(), 'true 10.222.0.0/24 10.222.0.254 10.222.0.128/25');
  const out = ok(['run', '--rm', '--network', 'n6int', '--ip', '10.222.0.200', '--mac-address', '02:42:0a:de:00:c8', '--dns', '192.0.2.53',
    '--dns-search', 'a.test', '--add-host', 'foo:192.0.2.7', '--add-host', 'gw:host-gateway', '--hostname', 'h6', 'busybox', 'sh', '-c',
    'ip addr show eth0; echo ROUTES; ip route; echo RESOLV; cat /etc/resolv.conf; echo HOSTS; cat /etc/hosts']);
  assert.match(out, /inet 10\.222\.0\.200\/24/);
  assert.match(out, /link\/ether 02:42:0a:de:00:c8/);
  assert.doesNotMatch(out.split('ROUTES')[1].split('RESOLV')[0], /default/, 'an internal network has no way out');
  assert.match(out, /nameserver 192\.0\.2\.53\nsearch a\.test/);
  assert.match(out, /192\.0\.2\.7\tfoo/);
  assert.match(out, /10\.222\.0\.254\tgw/);
  assert.match(out, /10\.222\.0\.200\th6/);
  // Without --ip, addresses come from the ip-range.
  assert.match(ok(['run', '--rm', '--network', 'n6int', 'busybox', 'ip', 'addr', 'show', 'eth0']), /inet 10\.222\.0\.(12[89]|1[3-9]\d|2\d\d)\//);
  const taken = d.docker(['run', '--rm', '--network', 'bridge', '--ip', '10.220.0.9', 'busybox', 'true']);
  assert.notEqual(taken.code, 0);
  assert.match(taken.stderr, /user specified IP address is supported on user defined networks only/);
});

test('docker run --network a --network b joins both networks', () => {
  ok(['network', 'create', 'n6m1']);
  ok(['network', 'create', 'n6m2']);
  const out = ok(['run', '--rm', '--network', 'n6m1', '--network', 'n6m2', 'busybox', 'ip', '-4', '-o', 'addr']);
  assert.match(out, /eth0\s+inet 10\.221\.\d+\.\d+/);
  assert.match(out, /eth1\s+inet 10\.221\.\d+\.\d+/);
  ok(['network', 'rm', 'n6m1', 'n6m2']);
});

test('--network container:<id> shares the other container\'s namespace', () => {
  ok(['run', '-d', '--name', 'base6', 'busybox', 'sleep', '60']);
  const ip = ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'base6']).trim();
  assert.match(ip, /^10\.220\.0\.\d+$/);
  assert.match(ok(['run', '--rm', '--network', 'container:base6', 'busybox', 'ip', 'addr', 'show', 'eth0']), new RegExp(`inet ${ip.replace(/\./g, '\\.')}/24`));
  ok(['stop', '-t', '0', 'base6']);
  assert.equal(ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}|{{.NetworkSettings.Networks.bridge.IPAddress}}|{{.NetworkSettings.SandboxKey}}', 'base6']).trim(), '||', 'a stopped container holds no address');
  const r = d.docker(['run', '--rm', '--network', 'container:base6', 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /cannot join network of a non running container/);
  ok(['rm', 'base6']);
});

test('network events: create, connect, disconnect, destroy', async () => {
  const events = spawn(DOCKER, ['-H', d.host, 'events', '--filter', 'type=network', '--format', '{{.Action}} {{.Actor.Attributes.name}}'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  events.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  await new Promise((r) => setTimeout(r, 300));
  ok(['network', 'create', 'n6ev']);
  ok(['run', '--rm', '--network', 'n6ev', 'busybox', 'true']);
  ok(['network', 'rm', 'n6ev']);
  for (let i = 0; i < 50 && !out.includes('destroy n6ev'); i++) await new Promise((r) => setTimeout(r, 100));
  events.kill('SIGKILL');
  assert.deepEqual(out.trim().split('\n').filter((l) => l.endsWith(' n6ev')), ['create n6ev', 'connect n6ev', 'disconnect n6ev', 'destroy n6ev']);
});

test('network prune removes unused custom networks only', () => {
  ok(['network', 'create', 'n6a']);
  ok(['network', 'create', 'n6b']);
  ok(['create', '--name', 'user6', '--network', 'n6b', 'busybox', 'true']);
  const out = ok(['network', 'prune', '-f']);
  assert.match(out, /Deleted Networks:\n(.*\n)*n6a/);
  assert.doesNotMatch(out, /n6b/);
  ok(['rm', 'user6']);
  ok(['network', 'prune', '-f']);
  assert.deepEqual(ok(['network', 'ls', '--format', '{{.Name}}']).trim().split('\n').sort(), ['bridge', 'host', 'none']);
});

test('the berth CLI: network verbs, run -p, port', () => {
  const b = (args: string[]) => {
    const r = d.berth(args, { timeoutMs: 60_000 });
    assert.equal(r.code, 0, `berth ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
    return r.stdout;
  };
  assert.match(b(['network', 'create', '--subnet', '10.223.0.0/24', 'n6cli']), /^[0-9a-f]{64}\n$/);
  assert.equal(b(['network', 'ls', '--filter', 'name=n6cli', '--format', '{{.Name}} {{.Driver}}']), 'n6cli bridge\n');
  b(['run', '-d', '--name', 'c6', '--network', 'n6cli', '--network-alias', 'al6', '-p', '127.0.0.1::80', 'busybox', 'sleep', '60']);
  assert.match(b(['port', 'c6']), /^80\/tcp -> 127\.0\.0\.1:\d+\n$/);
  assert.match(b(['ps', '--format', '{{.Ports}}']), /127\.0\.0\.1:\d+->80\/tcp/);
  assert.match(b(['run', '--rm', '--network', 'n6cli', 'busybox', 'nslookup', 'al6']), /Address: 10\.223\.0\.\d+/);
  b(['network', 'disconnect', 'n6cli', 'c6']);
  b(['network', 'connect', '--alias', 'again6', 'n6cli', 'c6']);
  assert.match(b(['network', 'inspect', '-f', '{{range .Containers}}{{.Name}}{{end}}', 'n6cli']), /c6/);
  const inUse = d.berth(['network', 'rm', 'n6cli']);
  assert.equal(inUse.code, 1);
  assert.match(inUse.stderr, /has active endpoints/);
  b(['rm', '-f', 'c6']);
  assert.equal(b(['network', 'rm', 'n6cli']), 'n6cli\n');
});
