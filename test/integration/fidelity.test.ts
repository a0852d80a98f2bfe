// Docker API fidelity: behaviours real clients (docker CLI, docker-py) rely on, each checked first against a
// reference dockerd and pinned here against a real berthd: swarm/plugins answers without swarm, import's
// single status message, platform checks, ambiguous tags, image list filters, network connect of a created
// container, default sysctls, cp through volumes of a stopped container, wait across a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerFails, dockerOk, startDaemon, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
let work: string;
before(async () => {
  d = await startDaemon();
  work = mkdtempSync(join(tmpdir(), 'berth-fidelity-'));
});
after(async () => {
  await d?.stop();
  rmSync(work, { recursive: true, force: true });
});

const ok = (args: string[], opts?: { input?: string }): string => dockerOk(d, args, opts);

const fails = (args: string[]): string => dockerFails(d, args);

/** A one-file rootfs tar made with the host's tar. */
function rootfsTar(name: string, content: string): string {
  const dir = join(work, `${name}-root`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'f'), content);
  const file = join(work, `${name}.tar`);
  const r = spawnSync('tar', ['-C', dir, '-cf', file, 'f']);
  assert.equal(r.status, 0);
  return file;
}

/** Runs a docker-py script with the daemon's URL as argv[1]; skipped when the SDK is missing. */
function python(t: { skip: (m: string) => void }, script: string, args: string[] = []): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import docker'], { encoding: 'utf8' });
  if (probe.status !== 0) { t.skip(`python3-docker is not installed: ${probe.stderr.trim()}`); return undefined; }
  const r = spawnSync('python3', ['-c', script, `unix://${d.socket}`, ...args], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `docker-py script failed: ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

test('without swarm: swarm objects answer 503 as dockerd, plugins is an empty list, /networks/ is the list', async () => {
  const NOT_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
  for (const p of ['/swarm', '/services', '/tasks', '/nodes', '/secrets', '/configs', '/services/x']) {
    const r = await d.api('GET', `/v1.41${p}`);
    assert.equal(r.status, 503, p);
    assert.equal(JSON.parse(r.body).message, NOT_MANAGER, p);
  }
  const leave = await d.api('POST', '/v1.41/swarm/leave');
  assert.deepEqual([leave.status, JSON.parse(leave.body).message], [503, 'This node is not part of a swarm']);
  const plugins = await d.api('GET', '/v1.41/plugins');
  assert.deepEqual([plugins.status, JSON.parse(plugins.body)], [200, []]);
  const nets = await d.api('GET', '/v1.41/networks/');
  assert.equal(nets.status, 200);
  assert.ok((JSON.parse(nets.body) as Array<{ Name: string }>).some((n) => n.Name === 'bridge'));
  const ls = d.docker(['service', 'ls']);
  assert.notEqual(ls.code, 0);
  assert.match(ls.stderr, /This node is not a swarm manager/);
});

test('import from the request body answers one status message with the ID; platform checked as Docker', async () => {
  const file = rootfsTar('imp', 'hello\n');
  const body = readFileSync(file);
  const r = await d.api('POST', '/v1.41/images/create?fromSrc=-&repo=fid-imp&tag=one', body.toString('latin1'));
  assert.equal(r.status, 200);
  const lines = r.body.trim().split(/\r?\n/);
  assert.equal(lines.length, 1, r.body);
  const id = (JSON.parse(lines[0]) as { status: string }).status;
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.equal(ok(['image', 'inspect', '-f', '{{.Id}}', 'fid-imp:one']).trim(), id);
  const bogus = await d.api('POST', '/v1.41/images/create?fromSrc=-&repo=fid-imp&tag=bad&platform=bogus', body.toString('latin1'));
  assert.deepEqual([bogus.status, JSON.parse(bogus.body).message], [400, '"bogus": unknown operating system or architecture: invalid argument']);
  const win = await d.api('POST', '/v1.41/images/create?fromSrc=-&repo=fid-imp&tag=win&platform=windows/amd64', body.toString('latin1'));
  assert.deepEqual([win.status, JSON.parse(win.body).message], [400, 'operating system is not supported']);
  ok(['import', '--platform', 'linux/arm64', file, 'fid-imp:arm']);
  assert.equal(ok(['image', 'inspect', '-f', '{{.Os}}/{{.Architecture}}', 'fid-imp:arm']).trim(), 'linux/arm64');
  // create with a platform the local image does not have: dockerd's 404 (the CLI then tries to pull).
  const arch = ok(['image', 'inspect', '-f', '{{.Architecture}}', 'busybox']).trim();
  const other = arch === 'arm64' ? 'amd64' : 'arm64';
  const c = await d.api('POST', `/v1.41/containers/create?platform=linux/${other}`, { Image: 'busybox', Cmd: ['true'] });
  assert.equal(c.status, 404);
  assert.equal(JSON.parse(c.body).message, `image with reference busybox was found but does not match the specified platform: wanted linux/${other}, actual: linux/${arch}`);
  const good = await d.api('POST', `/v1.41/containers/create?platform=linux/${arch}`, { Image: 'busybox', Cmd: ['true'] });
  assert.equal(good.status, 201, good.body);
  ok(['rm', JSON.parse(good.body).Id]);
  ok(['rmi', 'fid-imp:one', 'fid-imp:arm']);
});

test('a tag named after the digest algorithm is refused as ambiguous', () => {
  assert.match(fails(['tag', 'busybox', 'sha256:sometag']), /refusing to create an ambiguous tag using digest algorithm as name/);
  assert.match(fails(['tag', 'busybox', 'sha256']), /refusing to create an ambiguous tag using digest algorithm as name/);
  ok(['tag', 'busybox', 'fid/sha256:x']);
  ok(['rmi', 'fid/sha256:x']);
});

test('image list before/since order images created within the same second', () => {
  for (const n of ['f1', 'f2', 'f3']) ok(['import', rootfsTar(n, `${n}\n`), `fid-flt/${n}:v`]);
  const list = (f: string) => ok(['images', '--filter', f, '--format', '{{.Repository}}']).split('\n').filter((l) => l.startsWith('fid-flt/')).sort();
  assert.deepEqual(list('before=fid-flt/f2:v'), ['fid-flt/f1']);
  assert.deepEqual(list('since=fid-flt/f2:v'), ['fid-flt/f3']);
  assert.deepEqual(list('since=fid-flt/f1:v'), ['fid-flt/f2', 'fid-flt/f3']);
  assert.match(fails(['images', '--filter', 'before=fid-nope']), /No such image: fid-nope:latest/);
  ok(['rmi', 'fid-flt/f1:v', 'fid-flt/f2:v', 'fid-flt/f3:v']);
});

test('connecting a created container to a network it is on answers 200 (docker-py); a running one 403', (t) => {
  ok(['network', 'create', 'fid-net']);
  try {
    ok(['create', '--name', 'fid-cn', '--network', 'fid-net', 'busybox', 'sleep', '600']);
    const out = python(t, [
      'import sys, docker',
      'c = docker.DockerClient(base_url=sys.argv[1])',
      'n = c.networks.get("fid-net")',
      'n.connect("fid-cn", aliases=["fidalias"])',
      'print(c.api.inspect_container("fid-cn")["NetworkSettings"]["Networks"]["fid-net"]["Aliases"])',
    ].join('\n'));
    if (out === undefined) return;
    assert.match(out, /fidalias/);
    ok(['start', 'fid-cn']);
    assert.match(fails(['network', 'connect', 'fid-net', 'fid-cn']), /endpoint with name fid-cn already exists in network fid-net/);
    ok(['network', 'connect', 'bridge', 'fid-cn']);
    assert.match(ok(['inspect', '-f', '{{.NetworkSettings.Networks.bridge.MacAddress}}', 'fid-cn']).trim(), /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  } finally {
    d.docker(['rm', '-f', 'fid-cn']);
    d.docker(['network', 'rm', 'fid-net']);
  }
});

test("Docker's default namespaced sysctls in a container's own network namespace, not on the host's", () => {
  const own = ok(['run', '--rm', 'busybox', 'cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start', '/proc/sys/net/ipv4/ping_group_range']);
  assert.deepEqual(own.trim().split(/\s+/), ['0', '0', '2147483647']);
  const host = readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim();
  assert.equal(ok(['run', '--rm', '--network', 'host', 'busybox', 'cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start']).trim(), host);
  // The container's own hostname resolves inside it.
  assert.match(ok(['run', '--rm', '--hostname', 'fidhost', 'busybox', 'ping', '-c1', '-W2', 'fidhost']), /1 packets received/);
});

test('cp into and out of volume and bind paths of a stopped container (CLI and docker-py archive calls)', (t) => {
  const bind = join(work, 'bind');
  mkdirSync(bind);
  const src = join(work, 'cpf');
  writeFileSync(src, 'data\n');
  ok(['create', '--name', 'fid-cp', '-v', 'fid-vol:/vol', '-v', `${bind}:/bnd`, 'busybox', 'sleep', '600']);
  try {
    ok(['cp', src, 'fid-cp:/vol/a']);
    ok(['cp', src, 'fid-cp:/bnd/b']);
    assert.equal(readFileSync(join(bind, 'b'), 'utf8'), 'data\n');
    assert.match(fails(['cp', 'fid-cp:/dne', '-']), /Could not find the file \/dne in container fid-cp/);
    assert.match(fails(['cp', src, 'fid-cp:/nope/x/y']), /Could not find the file \/nope\/x in container fid-cp/);
    const out = python(t, [
      'import sys, docker, io, tarfile',
      'c = docker.DockerClient(base_url=sys.argv[1]).containers.get("fid-cp")',
      'bits, st = c.get_archive("/vol/a")',
      'tf = tarfile.open(fileobj=io.BytesIO(b"".join(bits)))',
      'print(st["name"], tf.extractfile("a").read().decode().strip())',
      'buf = io.BytesIO(); tw = tarfile.open(fileobj=buf, mode="w")',
      'data = b"py\\n"; ti = tarfile.TarInfo("p"); ti.size = len(data); tw.addfile(ti, io.BytesIO(data)); tw.close()',
      'print(c.put_archive("/vol", buf.getvalue()))',
    ].join('\n'));
    if (out !== undefined) assert.deepEqual(out.trim().split('\n'), ['a data', 'True']);
    ok(['start', 'fid-cp']);
    assert.equal(ok(['exec', 'fid-cp', 'cat', '/vol/a', '/bnd/b']), 'data\ndata\n');
    if (out !== undefined) assert.equal(ok(['exec', 'fid-cp', 'cat', '/vol/p']), 'py\n');
    ok(['cp', src, 'fid-cp:/vol/c']);
    ok(['stop', '-t', '0', 'fid-cp']);
    assert.match(ok(['cp', 'fid-cp:/vol/c', join(work, 'c-out')]), /^$/);
    assert.equal(readFileSync(join(work, 'c-out'), 'utf8'), 'data\n');
  } finally {
    d.docker(['rm', '-f', 'fid-cp']);
    d.docker(['volume', 'rm', 'fid-vol']);
  }
});

test('wait across a restart gives the exit code of the trapped SIGTERM; AutoRemove still applies (docker-py)', (t) => {
  const script = [
    'import sys, threading, docker',
    'c = docker.DockerClient(base_url=sys.argv[1])',
    'cmd = ["sh", "-c", "trap \\"exit 5\\" TERM; while true; do sleep 0.1; done"]',
    'k = c.containers.run("busybox", cmd, detach=True, name="fid-wait")',
    'import time',
    'for _ in range(100):',
    '    if c.api.inspect_container(k.id)["State"]["Running"]: break',
    '    time.sleep(0.05)',
    'time.sleep(0.5)',  // the shell has set its trap
    'res = {}',
    'th = threading.Thread(target=lambda: res.update(k.wait()))',
    'th.start(); time.sleep(0.3)',
    'k.restart()',
    'th.join(60)',
    'print(res.get("StatusCode"))',
    'k.remove(force=True)',
    'r = c.containers.run("busybox", cmd, detach=True, auto_remove=True, name="fid-rm")',
    'time.sleep(0.8)',
    'r.restart(); time.sleep(0.8)',
    'r.kill(signal="TERM")',
    'gone = False',
    'for _ in range(100):',
    '    try: c.containers.get("fid-rm")',
    '    except docker.errors.NotFound: gone = True; break',
    '    time.sleep(0.1)',
    'print(gone)',
  ].join('\n');
  const out = python(t, script);
  if (out === undefined) return;
  assert.deepEqual(out.trim().split('\n'), ['5', 'True']);
});

test('/info reports the host: IPv4 forwarding, the bridge network plugin, the backing filesystem', async () => {
  const info = JSON.parse((await d.api('GET', '/v1.41/info')).body) as { IPv4Forwarding: boolean; Plugins: { Network: string[] }; DriverStatus: string[][] };
  assert.equal(info.IPv4Forwarding, readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() === '1');
  assert.ok(info.Plugins.Network.includes('bridge'));
  const magic = spawnSync('stat', ['-f', '-c', '%t', d.dataRoot], { encoding: 'utf8' }).stdout.trim();
  const expected: Record<string, string> = { ef53: 'extfs', 58465342: 'xfs', '9123683e': 'btrfs', 1021994: 'tmpfs', '794c7630': 'overlayfs' };
  const backing = info.DriverStatus.find(([k]) => k === 'Backing Filesystem')?.[1];
  assert.equal(backing, expected[magic] ?? '<unknown>');
});

test('MaskedPaths/ReadonlyPaths: defaults shown in inspect, given lists honoured (docker-py)', (t) => {
  ok(['create', '--name', 'fid-mp0', 'busybox', 'true']);
  const shown = JSON.parse(ok(['inspect', '-f', '{{json .HostConfig}}', 'fid-mp0'])) as { MaskedPaths: string[]; ReadonlyPaths: string[] };
  assert.ok(shown.MaskedPaths.includes('/proc/kcore') && shown.ReadonlyPaths.includes('/proc/sys'));
  d.docker(['rm', 'fid-mp0']);
  const out = python(t, [
    'import sys, docker',
    'c = docker.DockerClient(base_url=sys.argv[1])',
    'k = c.api.create_container("busybox", ["sh", "-c", "touch /usr/fid 2>/dev/null && echo writable || echo read-only; wc -c < /etc/hostname"],',
    '    host_config={"MaskedPaths": ["/etc/hostname"], "ReadonlyPaths": ["/usr"]})',
    'hc = c.api.inspect_container(k["Id"])["HostConfig"]',
    'print(hc["MaskedPaths"], hc["ReadonlyPaths"])',
    'c.api.start(k["Id"]); c.api.wait(k["Id"])',
    'print(c.api.logs(k["Id"]).decode().strip().replace("\\n", " "))',
    'c.api.remove_container(k["Id"])',
  ].join('\n'));
  if (out === undefined) return;
  assert.deepEqual(out.trim().split('\n').map((l) => l.trim().replace(/\s+/g, ' ')), ["['/etc/hostname'] ['/usr']", 'read-only 0']);
});

test('--mount volume-subpath (API 1.45) mounts one directory of a volume; a missing one is an error', () => {
  try {
    ok(['run', '--rm', '-v', 'fid-sub:/v', 'busybox', 'sh', '-c', 'mkdir -p /v/sub && echo inner > /v/sub/f && echo outer > /v/top']);
    assert.equal(ok(['run', '--rm', '--mount', 'type=volume,src=fid-sub,dst=/s,volume-subpath=sub', 'busybox', 'sh', '-c', 'cat /s/f; ls /s']), 'inner\nf\n');
    assert.match(fails(['run', '--rm', '--mount', 'type=volume,src=fid-sub,dst=/s,volume-subpath=nope', 'busybox', 'true']), /cannot access path .*nope/);
    assert.match(fails(['run', '--rm', '--mount', 'type=volume,src=fid-sub,dst=/s,volume-subpath=../x', 'busybox', 'true']), /subpath must be a relative path within the volume/);
  } finally {
    d.docker(['volume', 'rm', '-f', 'fid-sub']);
  }
});
