// IPv6, macvlan and `docker network create`'s options with real containers, through the real docker CLI.
// IPv6 traffic stays between containers this test made and the host's loopback; the macvlan parent is a
// veth pair the test creates and removes (this kernel has no dummy links).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';

const TAG = process.pid % 100000;
const BRIDGE = `bv8-${TAG}`;
const PARENT = `mvp${TAG}`; // and its peer ${PARENT}p
const V6 = 'fd42:8:1::/64';
let d: TestDaemon;
let www: string;

before(async () => {
  www = mkdtempSync(join(tmpdir(), 'berth-v6-www-'));
  writeFileSync(join(www, 'index.html'), 'hello-over-v6\n');
  spawnSync('ip', ['link', 'del', PARENT]);
  for (const args of [['link', 'add', PARENT, 'type', 'veth', 'peer', 'name', `${PARENT}p`], ['link', 'set', PARENT, 'up'], ['link', 'set', `${PARENT}p`, 'up']]) {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
  }
  d = await startDaemon(['--bridge', BRIDGE, '--bip', '10.221.0.1/24', '--default-address-pool', 'base=10.222.0.0/16,size=24']);
});

after(async () => {
  await d?.stop();
  spawnSync('ip', ['link', 'del', PARENT]);
  rmSync(www, { recursive: true, force: true });
});

function ok(args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

function fails(args: string[], message: RegExp): void {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.notEqual(r.code, 0, `docker ${args.join(' ')} should fail`);
  assert.match(r.stderr, message);
}

function fetchHost(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let out = '';
    const timer = setTimeout(() => { s.destroy(); resolve(out); }, 5000);
    s.on('connect', () => s.write('GET / HTTP/1.0\r\n\r\n'));
    s.on('data', (b) => { out += b.toString(); });
    s.on('error', () => { clearTimeout(timer); resolve(out); });
    s.on('close', () => { clearTimeout(timer); resolve(out); });
  });
}

async function fetchRetry(host: string, port: number): Promise<string> {
  let out = '';
  for (let i = 0; i < 25 && !out.includes('hello-over-v6'); i++) {
    out = await fetchHost(host, port);
    if (!out.includes('hello-over-v6')) await new Promise((r) => setTimeout(r, 200));
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '::1', () => { const port = (srv.address() as net.AddressInfo).port; srv.close(() => resolve(port)); });
  });
}

test('network create takes what Docker takes: names with spaces, --opt and --label shown back, --aux-address kept out of IPAM', () => {
  ok(['network', 'create', 'my v8 net']);
  assert.equal(ok(['network', 'inspect', '-f', '{{.Name}}', 'my v8 net']).trim(), 'my v8 net');
  assert.match(ok(['run', '--rm', '--network', 'my v8 net', 'busybox', 'ip', 'addr', 'show', 'eth0']), /inet 10\.222\./);
  ok(['network', 'create', '--subnet', '10.223.0.0/29', '--gateway', '10.223.0.1', '--aux-address', 'printer=10.223.0.2', '--aux-address', 'nas=10.223.0.3',
    '--opt', 'com.example.colour=blue', '--opt', 'com.docker.network.driver.mtu=1400', '--label', 'team=net', 'v8opts']);
  const view = JSON.parse(ok(['network', 'inspect', 'v8opts']))[0];
  assert.deepEqual(view.Options, { 'com.example.colour': 'blue', 'com.docker.network.driver.mtu': '1400' });
  assert.deepEqual(view.Labels, { team: 'net' });
  assert.deepEqual(view.IPAM.Config, [{ Subnet: '10.223.0.0/29', Gateway: '10.223.0.1', AuxiliaryAddresses: { printer: '10.223.0.2', nas: '10.223.0.3' } }]);
  const out = ok(['run', '--rm', '--network', 'v8opts', 'busybox', 'ip', 'addr', 'show', 'eth0']);
  assert.match(out, /inet 10\.223\.0\.4\/29/, 'the first address after the aux addresses');
  assert.match(out, /mtu 1400/);
  fails(['network', 'create', '--subnet', '10.223.0.0/24', 'v8overlap'], /Pool overlaps with other one on this address space/);
  fails(['network', 'create', '-o', 'com.docker.network.bridge.enable_icc=false', 'v8icc'], /enable_icc=false is not supported/);
  fails(['network', 'create', '--subnet', '10.224.0.0/24', '--aux-address', 'x=10.9.9.9', 'v8aux'], /no matching subnet for aux-address 10\.9\.9\.9/);
  fails(['network', 'create', '-d', 'ipvlan', '-o', `parent=${PARENT}`, 'v8ipvlan'], /ipvlan networks are not supported/);
  ok(['network', 'rm', 'my v8 net', 'v8opts']);
});

test('a subnet overlapping only a host route is allowed when named (as Docker does); another network\'s is not', () => {
  // Docker avoids host routes when it picks a subnet itself, not when it is given one.
  fails(['network', 'create', '--subnet', '10.221.0.0/25', 'v8b'], /Pool overlaps/); // the default bridge's
  spawnSync('ip', ['addr', 'add', '10.225.0.1/24', 'dev', `${PARENT}p`]);
  try {
    ok(['network', 'create', '--subnet', '10.225.0.0/24', 'v8route']);
    ok(['network', 'rm', 'v8route']);
  } finally {
    spawnSync('ip', ['addr', 'del', '10.225.0.1/24', 'dev', `${PARENT}p`]);
  }
});

test('--ipv6: dual-stack addresses in inspect, name resolution to both, --ip6, and -p on 0.0.0.0 and [::]', async () => {
  ok(['network', 'create', '--ipv6', '--subnet', V6, '--subnet', '10.226.0.0/24', 'v8six']);
  const netView = JSON.parse(ok(['network', 'inspect', 'v8six']))[0];
  assert.equal(netView.EnableIPv6, true);
  assert.deepEqual(netView.IPAM.Config.map((c: { Subnet: string; Gateway: string }) => [c.Subnet, c.Gateway]), [['10.226.0.0/24', '10.226.0.1'], [V6, 'fd42:8:1::1']]);
  const port = await freePort();
  const id = ok(['run', '-d', '--name', 'v8web', '--network', 'v8six', '-p', `${port}:80`, '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www']).trim();
  const ep = JSON.parse(ok(['inspect', '-f', '{{json .NetworkSettings.Networks.v8six}}', id]));
  assert.equal(ep.GlobalIPv6Address, 'fd42:8:1::2');
  assert.equal(ep.GlobalIPv6PrefixLen, 64);
  assert.equal(ep.IPv6Gateway, 'fd42:8:1::1');
  assert.equal(ep.IPAddress, '10.226.0.2');
  assert.equal(JSON.parse(ok(['network', 'inspect', '-f', '{{json .Containers}}', 'v8six']))[id].IPv6Address, 'fd42:8:1::2/64');
  assert.deepEqual(JSON.parse(ok(['inspect', '-f', '{{json .NetworkSettings.Ports}}', id]))['80/tcp'], [{ HostIp: '0.0.0.0', HostPort: String(port) }, { HostIp: '::', HostPort: String(port) }]);
  assert.deepEqual(ok(['port', id]).trim().split('\n').sort(), [`80/tcp -> 0.0.0.0:${port}`, `80/tcp -> [::]:${port}`]);
  // Another container reaches it by name over IPv6, and with a fixed --ip6.
  const fixed = ok(['run', '--rm', '--network', 'v8six', '--ip6', 'fd42:8:1::99', 'busybox', 'sh', '-c',
    'ip -f inet6 addr show eth0 | grep global; nslookup v8web | grep Address; printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 5 fd42:8:1::2 80']);
  assert.match(fixed, /inet6 fd42:8:1::99\/64 scope global/);
  assert.match(fixed, /fd42:8:1::2/);
  assert.match(fixed, /hello-over-v6/);
  // The host reaches the published port on both families: 127.0.0.1, and the host's IPv6 address on
  // the network (its gateway, made by Berth). Not ::1: IPv6 cannot DNAT loopback traffic, and Berth has
  // no userland proxy.
  assert.match(await fetchRetry('127.0.0.1', port), /hello-over-v6/);
  assert.match(await fetchRetry('fd42:8:1::1', port), /hello-over-v6/);
  fails(['run', '--rm', '--ip6', 'fd00::5', 'busybox', 'true'], /user specified IP address is supported on user defined networks only/);
  fails(['run', '--rm', '--network', 'v8six', '--ip6', 'fd43::5', 'busybox', 'true'], /no configured subnet or ip-range contain the IP address fd43::5/);
  ok(['rm', '-f', id]);
  // --ipv6 without a subnet: a unique-local /64 is picked.
  ok(['network', 'create', '--ipv6', 'v8auto']);
  assert.match(ok(['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}} {{end}}', 'v8auto']).trim(), /^10\.222\.\d+\.0\/24 fd[0-9a-f]{2}:[0-9a-f:]+::\/64$/);
  ok(['network', 'rm', 'v8six', 'v8auto']);
});

test('macvlan through netavark on a parent interface: addresses in inspect, containers reach each other, -p refused', () => {
  ok(['network', 'create', '-d', 'macvlan', '-o', `parent=${PARENT}`, '--subnet', '10.227.0.0/24', '--gateway', '10.227.0.1', 'v8mac']);
  const netView = JSON.parse(ok(['network', 'inspect', 'v8mac']))[0];
  assert.equal(netView.Driver, 'macvlan');
  assert.deepEqual(netView.Options, { parent: PARENT });
  const a = ok(['run', '-d', '--network', 'v8mac', 'busybox', 'sleep', '120']).trim();
  const ep = JSON.parse(ok(['inspect', '-f', '{{json .NetworkSettings.Networks.v8mac}}', a]));
  assert.equal(ep.IPAddress, '10.227.0.2');
  assert.equal(ep.Gateway, '10.227.0.1');
  assert.match(ep.MacAddress, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  // busybox's ip has no -d: look from the host, in the container's namespace.
  const pid = ok(['inspect', '-f', '{{.State.Pid}}', a]).trim();
  const link = spawnSync('nsenter', ['-t', pid, '-n', 'ip', '-d', 'link', 'show', 'eth0'], { encoding: 'utf8' }).stdout;
  assert.match(link, /macvlan mode bridge/);
  assert.ok(link.includes(ep.MacAddress));
  assert.match(ok(['run', '--rm', '--network', 'v8mac', 'busybox', 'ping', '-c', '1', '-W', '3', '10.227.0.2']), /1 packets received/);
  fails(['run', '--rm', '--network', 'v8mac', '-p', '8080:80', 'busybox', 'true'], /port publishing is not supported on the macvlan network v8mac/);
  fails(['network', 'create', '-d', 'macvlan', '--subnet', '10.228.0.0/24', 'v8nop'], /need a parent interface/);
  ok(['rm', '-f', a]);
  ok(['network', 'rm', 'v8mac']);
  // Nothing of the macvlan network is left on the parent.
  const left = spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(`@${PARENT}:`) && !l.includes(`${PARENT}p@`));
  assert.deepEqual(left, []);
});
