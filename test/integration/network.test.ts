// Networking through the real docker CLI against a real berthd: the default bridge, user-defined
// networks with name resolution, isolation between networks, published ports on 127.0.0.1, host and
// none modes, a berthd restart, and nothing left behind (bridges, veths, netns, iptables rules).
// The daemon gets its own bridge and subnets, so it never meets other daemons on this host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, readlinkSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { hostFetch } from '../helpers/host-fetch.js';

const BRIDGE = `bt5-${process.pid % 100000}`;
const BIP = '10.215.0.1/24';
const POOL = 'base=10.216.0.0/16,size=24';
const NETS = ['n5front', 'n5other'];
let d: TestDaemon;
const knownNetIds: string[] = [];
/** Containers run with --rm along the way, whose namespaces must be gone too. */
const knownContainerIds: string[] = [];
let www: string;

before(async () => {
  www = mkdtempSync(join(tmpdir(), 'berth-net-www-'));
  writeFileSync(join(www, 'index.html'), 'hello-from-web\n');
  d = await startDaemon(['--bridge', BRIDGE, '--bip', BIP, '--default-address-pool', POOL]);
});

after(async () => {
  await d?.stop();
  rmSync(www, { recursive: true, force: true });
});

function ok(args: string[]): string {
  const r = d.docker(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

const FETCH = (host: string, port = 80) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${host} ${port}`;

/** Fetches from inside a throw-away container, retrying (bounded) while the server comes up. */
function fetchFrom(network: string, host: string): string {
  let last = '';
  for (let i = 0; i < 20; i++) {
    const r = d.docker(['run', '--rm', '--network', network, 'busybox', 'sh', '-c', FETCH(host)], { timeoutMs: 30_000 });
    last = r.stdout + r.stderr;
    if (last.includes('hello-from-web')) return last;
    spawnSync('sleep', ['0.2']);
  }
  return last;
}

async function hostFetchRetry(port: number): Promise<string> {
  let out = '';
  for (let i = 0; i < 20 && !out.includes('hello-from-web'); i++) {
    out = await hostFetch(port);
    if (!out.includes('hello-from-web')) await new Promise((r) => setTimeout(r, 200));
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const serve = (name: string, extra: string[]) => ok(['run', '-d', '--name', name, ...extra, '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www']).trim();

test('network ls shows bridge, host and none; the default bridge is Berth\'s own', () => {
  assert.deepEqual(ok(['network', 'ls', '--format', '{{.Name}} {{.Driver}}']).trim().split('\n').sort(), ['bridge bridge', 'host host', 'none null']);
  assert.equal(ok(['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{index .Options "com.docker.network.bridge.name"}}', 'bridge']).trim(), `10.215.0.0/24 10.215.0.1 ${BRIDGE}`);
  assert.equal(d.docker(['network', 'rm', 'bridge']).code, 1);
  assert.match(d.docker(['network', 'rm', 'bridge']).stderr, /pre-defined network and cannot be removed/);
});

test('default bridge: a container has an address and another reaches it by IP', () => {
  serve('web5b', []);
  const ip = ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'web5b']).trim();
  assert.match(ip, /^10\.215\.0\.\d+$/);
  assert.equal(ok(['inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}} {{.NetworkSettings.Networks.bridge.Gateway}} {{.NetworkSettings.Networks.bridge.IPPrefixLen}}', 'web5b']).trim(), `${ip} 10.215.0.1 24`);
  assert.match(fetchFrom('bridge', ip), /hello-from-web/);
  const inside = readFileSync(ok(['inspect', '-f', '{{.HostsPath}}', 'web5b']).trim(), 'utf8');
  assert.match(inside, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s`, 'm'));
  assert.match(ok(['network', 'inspect', '-f', '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}', 'bridge']), new RegExp(`web5b ${ip}/24`));
  ok(['rm', '-f', 'web5b']);
});

test('user-defined network: containers resolve each other by name and alias; another network cannot reach them', () => {
  assert.match(ok(['network', 'create', 'n5front']).trim(), /^[0-9a-f]{64}$/);
  const dup = d.docker(['network', 'create', 'n5front']);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /network with name n5front already exists/);
  ok(['network', 'create', '--subnet', '10.217.5.0/24', '--label', 'team=net', 'n5other']);
  assert.equal(ok(['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Labels.team}}', 'n5other']).trim(), '10.217.5.0/24 net');
  assert.equal(ok(['network', 'ls', '--filter', 'label=team=net', '--format', '{{.Name}}']).trim(), 'n5other');

  serve('web5', ['--network', 'n5front', '--network-alias', 'www5']);
  const ip = ok(['inspect', '-f', '{{.NetworkSettings.Networks.n5front.IPAddress}}', 'web5']).trim();
  assert.match(ip, /^10\.216\.\d+\.\d+$/);
  assert.match(fetchFrom('n5front', 'web5'), /hello-from-web/);
  assert.match(fetchFrom('n5front', 'www5'), /hello-from-web/);
  const resolv = ok(['run', '--rm', '--network', 'n5front', 'busybox', 'cat', '/etc/resolv.conf']);
  assert.match(resolv, /^nameserver 10\.216\.\d+\.1$/m);

  // From the other network: the name does not resolve and the address does not answer.
  const r = d.docker(['run', '--rm', '--network', 'n5other', 'busybox', 'sh', '-c', `${FETCH(ip).replace('-w 5', '-w 2')}; echo rc=$?`]);
  assert.doesNotMatch(r.stdout, /hello-from-web/);
  const byName = d.docker(['run', '--rm', '--network', 'n5other', 'busybox', 'sh', '-c', `${FETCH('web5').replace('-w 5', '-w 2')}`]);
  assert.doesNotMatch(byName.stdout, /hello-from-web/);

  const inUse = d.docker(['network', 'rm', 'n5front']);
  assert.equal(inUse.code, 1);
  assert.match(inUse.stderr, /has active endpoints/);
  assert.match(ok(['network', 'inspect', '-f', '{{range .Containers}}{{.Name}}{{end}}', 'n5front']), /web5/);
});

test('connect and disconnect a running container', () => {
  ok(['network', 'connect', '--alias', 'late5', 'n5other', 'web5']);
  assert.match(ok(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', 'web5']), /n5front n5other/);
  assert.match(fetchFrom('n5other', 'late5'), /hello-from-web/);
  ok(['network', 'disconnect', 'n5other', 'web5']);
  assert.doesNotMatch(ok(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', 'web5']), /n5other/);
});

test('published port on 127.0.0.1 answers from the host; ps and port show it', async () => {
  const port = await freePort();
  serve('pub5', ['-p', `127.0.0.1:${port}:80`, '--network', 'n5front']);
  assert.match(await hostFetchRetry(port), /hello-from-web/);
  assert.equal(ok(['ps', '--filter', 'name=pub5', '--format', '{{.Ports}}']).trim(), `127.0.0.1:${port}->80/tcp`);
  assert.equal(ok(['port', 'pub5']).trim(), `80/tcp -> 127.0.0.1:${port}`);
  // The same host port again is a clear error at start, and the failed container holds nothing.
  const clash = d.docker(['run', '-d', '--name', 'clash5', '-p', `127.0.0.1:${port}:80`, 'busybox', 'sleep', '30']);
  assert.notEqual(clash.code, 0);
  assert.match(clash.stderr, /port is already allocated/);
  ok(['rm', '-f', 'clash5']);
  // A random host port (-p 127.0.0.1::80) and -P with EXPOSE.
  serve('rnd5', ['-p', '127.0.0.1::80']);
  const rnd = Number(ok(['port', 'rnd5', '80/tcp']).trim().split(':').pop());
  assert.ok(rnd > 0);
  assert.match(await hostFetchRetry(rnd), /hello-from-web/);
  ok(['rm', '-f', 'rnd5']);
  serve('all5', ['--expose', '80', '-P']);
  const all = ok(['port', 'all5', '80/tcp']).trim();
  assert.match(all, /^0\.0\.0\.0:\d+$/);
  assert.match(await hostFetchRetry(Number(all.split(':').pop())), /hello-from-web/);
  ok(['rm', '-f', 'all5']);
});

test('berthd restart keeps running containers\' addresses and published ports', async () => {
  const port = Number(ok(['port', 'pub5', '80/tcp']).trim().split(':').pop());
  const ipBefore = ok(['inspect', '-f', '{{.NetworkSettings.Networks.n5front.IPAddress}}', 'web5']).trim();
  await d.kill9();
  await d.restart();
  assert.equal(ok(['inspect', '-f', '{{.NetworkSettings.Networks.n5front.IPAddress}}', 'web5']).trim(), ipBefore);
  assert.match(await hostFetchRetry(port), /hello-from-web/);
  assert.match(fetchFrom('n5front', 'web5'), /hello-from-web/);
  // A new container gets a different address than the running ones.
  const ip3 = ok(['run', '--rm', '--network', 'n5front', 'busybox', 'sh', '-c', "ip -4 addr show eth0 | sed -n 's/.*inet \\([0-9.]*\\).*/\\1/p'"]).trim();
  assert.notEqual(ip3, ipBefore);
});

test('--network none has only loopback; --network host shares the host\'s interfaces', () => {
  const none = ok(['run', '--rm', '--network', 'none', 'busybox', 'cat', '/proc/net/dev']);
  assert.deepEqual(none.split('\n').slice(2).filter(Boolean).map((l) => l.trim().split(':')[0]), ['lo']);
  // The host's own network namespace (interfaces come and go on a shared host, the namespace does not).
  assert.equal(ok(['run', '--rm', '--network', 'host', 'busybox', 'readlink', '/proc/self/ns/net']).trim(), readlinkSync('/proc/self/ns/net'));
  assert.equal(ok(['run', '--rm', '--network', 'host', 'busybox', 'hostname']).trim(), hostname());
  assert.match(ok(['inspect', '-f', '{{.HostConfig.NetworkMode}}', ok(['create', '--network', 'none', 'busybox']).trim()]), /none/);
});

test('create/start/remove cycles release addresses, ports and namespaces', () => {
  ok(['network', 'create', '--subnet', '10.217.6.0/29', 'n5tiny']); // 5 usable addresses
  knownNetIds.push(ok(['network', 'inspect', '-f', '{{.Id}}', 'n5tiny']).trim());
  for (let i = 0; i < 12; i++) {
    const id = ok(['run', '-d', '--network', 'n5tiny', '-p', '127.0.0.1::80', 'busybox', 'sleep', '30']).trim();
    knownContainerIds.push(id);
    assert.match(ok(['inspect', '-f', '{{.NetworkSettings.Networks.n5tiny.IPAddress}}', id]), /^10\.217\.6\.[2-6]$/m);
    ok(['rm', '-f', id]);
  }
  ok(['network', 'rm', 'n5tiny']);
});

test('removing everything leaves no bridge, veth, netns or iptables rule behind', async () => {
  const ids = ok(['ps', '-aq', '--no-trunc']).trim().split('\n').filter(Boolean);
  for (const id of ids) ok(['rm', '-f', id]);
  for (const n of NETS) knownNetIds.push(ok(['network', 'inspect', '-f', '{{.Id}}', n]).trim());
  for (const n of NETS) ok(['network', 'rm', n]);
  assert.equal(ok(['network', 'ls', '--format', '{{.Name}}']).trim().split('\n').sort().join(' '), 'bridge host none');
  // The default bridge keeps a few ready namespaces (the pool) while berthd runs; stopping berthd takes
  // them down, and netavark's last teardown the bridge and its rules.
  const poolDir = join(d.execRoot, 'network', 'pool');
  const pooled = existsSync(poolDir) ? readdirSync(poolDir).map((f) => (JSON.parse(readFileSync(join(poolDir, f), 'utf8')) as { nsPath: string }).nsPath.split('/').pop()!) : [];
  await d.stop();
  const leftovers = () => {
    const out: string[] = [];
    const links = spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout;
    if (new RegExp(`${BRIDGE}[:@]`).test(links)) out.push(`bridge ${BRIDGE}`);
    for (const id of knownNetIds) if (links.includes(`br-${id.slice(0, 12)}`)) out.push(`bridge br-${id.slice(0, 12)}`);
    const netns = existsSync('/var/run/netns') ? readdirSync('/var/run/netns') : [];
    for (const id of [...ids, ...knownContainerIds]) if (netns.includes(`berth-${id.slice(0, 12)}`)) out.push(`netns of ${id}`);
    for (const name of pooled) if (netns.includes(name)) out.push(`pooled netns ${name}`);
    const rules = spawnSync('iptables-save', [], { encoding: 'utf8' }).stdout;
    for (const l of rules.split('\n')) if (/10\.215\.0\.|10\.216\.|10\.217\.[56]\.|bt5-/.test(l)) out.push(`rule ${l}`);
    return out;
  };
  let left = leftovers();
  for (let i = 0; i < 50 && left.length; i++) { await new Promise((r) => setTimeout(r, 200)); left = leftovers(); }
  assert.deepEqual(left, []);
});
