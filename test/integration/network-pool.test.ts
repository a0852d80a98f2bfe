// The fast default bridge: containers take namespaces netavark set up ahead (the pool) and their
// teardown runs in the background. Checked through the real docker CLI on a bridge and subnet of this
// test's own: inspect still shows each container's own address and MAC, published ports still work and
// are free again right after `rm`, a namespace nothing could have changed goes back to the pool (and one a
// privileged container had does not), 1000 create/start/remove cycles (BERTH_NET_CYCLES) leave no veth,
// netns, address, port or firewall rule behind, a `kill -9` of berthd never hands a namespace out twice,
// and stopping berthd takes the pool down with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { hostFetch } from '../helpers/host-fetch.js';

const BRIDGE = `bp7-${process.pid % 100000}`;
const SUBNET_RE = /10\.218\./;
const POOL_SIZE = 4;
let d: TestDaemon;
let www: string;
/** Every namespace a container of this test was given: all must be gone at the end. */
const seenNamespaces = new Set<string>();

before(async () => {
  www = mkdtempSync(join(tmpdir(), 'berth-pool-www-'));
  writeFileSync(join(www, 'index.html'), 'hello-from-pool\n');
  d = await startDaemon(['--bridge', BRIDGE, '--bip', '10.218.0.1/16', '--default-address-pool', 'base=10.219.0.0/16,size=24']);
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const poolFiles = () => { try { return readdirSync(join(d.execRoot, 'network', 'pool')).filter((f) => f.endsWith('.json')); } catch { return []; } };
const poolNamespaces = () => poolFiles().map((f) => (JSON.parse(readFileSync(join(d.execRoot, 'network', 'pool', f), 'utf8')) as { nsPath: string }).nsPath);
const hostNetns = () => (existsSync('/var/run/netns') ? readdirSync('/var/run/netns') : []);
const vethsOnBridge = () => {
  const r = spawnSync('ip', ['-j', 'link', 'show', 'master', BRIDGE], { encoding: 'utf8' });
  try { return (JSON.parse(r.stdout || '[]') as unknown[]).length; } catch { return 0; }
};
const rulesOnSubnet = () => spawnSync('iptables-save', [], { encoding: 'utf8' }).stdout.split('\n').filter((l) => SUBNET_RE.test(l) || l.includes(BRIDGE));

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await sleep(200);
  assert.ok(cond(), `timed out waiting for: ${what}`);
}

async function fetchRetry(port: number): Promise<string> {
  let out = '';
  for (let i = 0; i < 25 && !out.includes('hello-from-pool'); i++) {
    out = await hostFetch(port);
    if (!out.includes('hello-from-pool')) await sleep(200);
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const port = (srv.address() as net.AddressInfo).port; srv.close(() => resolve(port)); });
  });
}

test('the pool fills, and a container on the default bridge takes a ready namespace with its own address and MAC', async () => {
  await waitFor(`${POOL_SIZE} pooled namespaces`, () => poolFiles().length === POOL_SIZE);
  const id = ok(['run', '-d', 'busybox', 'sleep', '300']).trim();
  const [ip, mac, key, gw] = ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.MacAddress}} {{.NetworkSettings.SandboxKey}} {{.NetworkSettings.Gateway}}', id]).trim().split(' ');
  seenNamespaces.add(key);
  assert.match(ip, /^10\.218\./);
  assert.equal(gw, '10.218.0.1');
  assert.match(key, /^\/var\/run\/netns\/berth-pool-[0-9a-f]{12}$/);
  const inside = ok(['exec', id, 'ip', 'addr', 'show', 'eth0']);
  assert.ok(inside.includes(`inet ${ip}/16`), inside);
  assert.ok(inside.includes(`link/ether ${mac}`), inside);
  assert.ok(!poolNamespaces().includes(key), 'a taken namespace is no longer in the pool');
  // Another pooled container reaches it by IP, and it reaches its gateway.
  assert.match(ok(['run', '--rm', 'busybox', 'ping', '-c', '1', '-W', '3', ip]), /1 packets received/);
  assert.match(ok(['exec', id, 'ping', '-c', '1', '-W', '3', gw]), /1 packets received/);
  ok(['rm', '-f', id]);
  await waitFor('the pool full again', () => poolFiles().length === POOL_SIZE);
});

test('a namespace nothing could change goes back to the pool and serves the next container; a privileged one does not', async () => {
  await waitFor('the pool full', () => poolFiles().length === POOL_SIZE);
  const id = ok(['run', '-d', 'busybox', 'sleep', '300']).trim();
  const [key, ip, mac] = ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}} {{.NetworkSettings.IPAddress}} {{.NetworkSettings.MacAddress}}', id]).trim().split(' ');
  ok(['rm', '-f', id]);
  await waitFor('its namespace back in the pool', () => poolNamespaces().includes(key));
  // The pool hands out its oldest first: take them all until that one comes round again.
  const taken: string[] = [];
  let again = '';
  for (let i = 0; i < POOL_SIZE && !again; i++) {
    const c = ok(['run', '-d', 'busybox', 'sleep', '300']).trim();
    taken.push(c);
    if (ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', c]).trim() === key) again = c;
  }
  assert.ok(again, 'the namespace given back was handed out again');
  assert.equal(ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.MacAddress}}', again]).trim(), `${ip} ${mac}`);
  assert.match(ok(['exec', again, 'ping', '-c', '1', '-W', '3', '10.218.0.1']), /1 packets received/);
  for (const c of taken) ok(['rm', '-f', c]);
  await waitFor('the pool full again', () => poolFiles().length === POOL_SIZE);
  for (const flags of [['--cap-add', 'NET_ADMIN'], ['--privileged']]) {
    const c = ok(['run', '-d', ...flags, 'busybox', 'sleep', '300']).trim();
    const k = ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', c]).trim();
    assert.match(k, /berth-pool-/);
    seenNamespaces.add(k);
    ok(['exec', c, 'ip', 'addr', 'add', '10.218.250.250/32', 'dev', 'eth0']); // what such a container may do
    ok(['rm', '-f', c]);
    await waitFor(`the namespace of a ${flags[0]} container deleted`, () => !hostNetns().includes(k.split('/').pop()!));
    assert.ok(!poolNamespaces().includes(k), `a ${flags[0]} container's namespace is never pooled again`);
  }
  // A privileged exec in an ordinary container taints its namespace the same way.
  const c = ok(['run', '-d', 'busybox', 'sleep', '300']).trim();
  const k = ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', c]).trim();
  seenNamespaces.add(k);
  ok(['exec', '--privileged', c, 'true']);
  ok(['rm', '-f', c]);
  await waitFor('the namespace of a container with a privileged exec deleted', () => !hostNetns().includes(k.split('/').pop()!));
});

test('-p on the default bridge still publishes, and the host port is free again right after rm -f', async () => {
  const port = await freePort();
  for (let i = 0; i < 2; i++) {
    const id = ok(['run', '-d', '-p', `127.0.0.1:${port}:80`, '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www']).trim();
    seenNamespaces.add(ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', id]).trim());
    assert.match(await fetchRetry(port), /hello-from-pool/);
    ok(['rm', '-f', id]);
  }
});

/** Cycles of the leak test (npm test: 1000; fewer while iterating). */
const CYCLES = Math.max(10, Math.min(5000, Number(process.env.BERTH_NET_CYCLES ?? 1000) || 1000));

test(`${CYCLES} create/start/remove cycles leave no veth, netns, address, port or firewall rule behind`, async () => {
  await waitFor('the pool full', () => poolFiles().length === POOL_SIZE);
  const rulesBefore = rulesOnSubnet().sort();
  const WORKERS = 4;
  const ports = await Promise.all(Array.from({ length: WORKERS }, () => freePort()));
  const ids: string[] = [];
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await d.api(method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.body}`);
    return r.body ? JSON.parse(r.body) as Record<string, unknown> : {};
  };
  // Through the API (the CLI's own start-up would make 1000 cycles take minutes), 4 at a time. Of every
  // 10 cycles: 8 plain (their namespaces recycled), 1 with NET_ADMIN (deleted, never pooled again), 1
  // publishing a port (netavark's own set-up and teardown, its DNAT rule).
  const cycle = async (worker: number, i: number) => {
    const kind = i % 10;
    const HostConfig = kind === 8 ? { CapAdd: ['NET_ADMIN'] } : kind === 9 ? { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(ports[worker]) }] } } : {};
    const { Id } = await api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], ExposedPorts: kind === 9 ? { '80/tcp': {} } : undefined, HostConfig }) as { Id: string };
    ids.push(Id);
    await api('POST', `/containers/${Id}/start`);
    const info = await api('GET', `/containers/${Id}/json`) as { NetworkSettings: { SandboxKey: string } };
    if (info.NetworkSettings.SandboxKey) seenNamespaces.add(info.NetworkSettings.SandboxKey);
    await api('POST', `/containers/${Id}/wait`);
    await api('DELETE', `/containers/${Id}?force=1`);
  };
  await Promise.all(Array.from({ length: WORKERS }, async (_, w) => {
    for (let i = w; i < CYCLES; i += WORKERS) await cycle(w, i);
  }));
  assert.equal(ids.length, CYCLES);
  // Background teardowns finish, and the pool is back at its size: exactly its veths on the bridge.
  await waitFor('teardowns done', () => vethsOnBridge() === POOL_SIZE && poolFiles().length === POOL_SIZE);
  const live = new Set(poolNamespaces());
  const netns = hostNetns();
  for (const key of seenNamespaces) if (!live.has(key)) assert.ok(!netns.includes(key.split('/').pop()!), `namespace ${key} left behind`);
  for (const id of ids) assert.ok(!netns.includes(`berth-${id.slice(0, 12)}`), `namespace of ${id} left behind`);
  assert.deepEqual(JSON.parse(ok(['network', 'inspect', '-f', '{{json .Containers}}', 'bridge'])), {}, 'no address still held');
  const dnat = spawnSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }).stdout;
  for (const p of ports) assert.ok(!new RegExp(`--dport ${p}\\b`).test(dnat), `DNAT rule for port ${p} left behind`);
  assert.deepEqual(rulesOnSubnet().sort(), rulesBefore, 'the firewall rules on the subnet are as before');
  assert.equal(existsSync(join(d.execRoot, 'network', 'endpoints')) ? readdirSync(join(d.execRoot, 'network', 'endpoints')).length : 0, 0, 'no endpoint records left');
  // Each pooled address is held once: by the pool, not by any container.
  assert.equal(new Set(poolNamespaces()).size, POOL_SIZE);
});

test('a pooled container connected to a user network as well is torn down whole (both networks)', async () => {
  ok(['network', 'create', 'p7user']);
  const netId = ok(['network', 'inspect', '-f', '{{.Id}}', 'p7user']).trim();
  const id = ok(['run', '-d', '--name', 'p7both', 'busybox', 'sleep', '300']).trim();
  const key = ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', id]).trim();
  assert.match(key, /berth-pool-/);
  seenNamespaces.add(key);
  ok(['network', 'connect', 'p7user', id]);
  assert.match(ok(['run', '--rm', '--network', 'p7user', 'busybox', 'nslookup', 'p7both']), /Name:\s+p7both[\s\S]*Address: 10\.219\./);
  ok(['rm', '-f', id]);
  ok(['network', 'rm', 'p7user']);
  await waitFor('the user network\'s bridge gone', () => !spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout.includes(`br-${netId.slice(0, 12)}`));
  assert.ok(!hostNetns().includes(key.split('/').pop()!), 'namespace deleted');
});

test('kill -9 of berthd: a running container keeps its namespace; leftovers of the pool are torn down, never handed out again', async () => {
  const id = ok(['run', '-d', 'busybox', 'sleep', '300']).trim();
  const key = ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', id]).trim();
  await waitFor('the pool ready (it refills once down to half)', () => poolFiles().length >= POOL_SIZE - 1);
  const before = poolNamespaces();
  await d.kill9();
  await d.restart();
  await waitFor('a fresh pool', () => poolFiles().length === POOL_SIZE && !poolNamespaces().some((p) => before.includes(p)));
  const netns = hostNetns();
  for (const p of before) assert.ok(!netns.includes(p.split('/').pop()!), `leftover ${p} torn down`);
  assert.equal(ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', id]).trim(), key);
  assert.match(ok(['exec', id, 'ping', '-c', '1', '-W', '3', '10.218.0.1']), /1 packets received/);
  const keys = new Set<string>([key]);
  for (let i = 0; i < 6; i++) {
    const c = ok(['run', '-d', 'busybox', 'sleep', '300']).trim();
    const k = ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', c]).trim();
    assert.ok(!keys.has(k) && !before.includes(k), `namespace ${k} handed out once`);
    keys.add(k);
  }
  for (const k of keys) seenNamespaces.add(k);
});

test('stopping berthd takes the pool down: no bridge, veth, netns or firewall rule of this daemon is left', async () => {
  for (const id of ok(['ps', '-aq']).trim().split('\n').filter(Boolean)) ok(['rm', '-f', id]);
  for (const p of poolNamespaces()) seenNamespaces.add(p);
  await d.stop();
  const netns = hostNetns();
  for (const key of seenNamespaces) assert.ok(!netns.includes(key.split('/').pop()!), `namespace ${key} left behind`);
  assert.ok(!new RegExp(`${BRIDGE}[:@]`).test(spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout), 'bridge removed');
  assert.deepEqual(rulesOnSubnet(), []);
  // netavark 1.4 drops the shared FORWARD jump to the isolation chain when it removes a bridge; berthd
  // puts it back while other networks (berth0, other daemons') still have rules there.
  const chain = spawnSync('iptables', ['-w', '-S', 'NETAVARK_ISOLATION_1'], { encoding: 'utf8' }).stdout;
  if (chain.includes('-A NETAVARK_ISOLATION_1 ')) {
    assert.equal(spawnSync('iptables', ['-w', '-C', 'FORWARD', '-j', 'NETAVARK_ISOLATION_1']).status, 0, 'isolation jump in FORWARD');
  }
});
