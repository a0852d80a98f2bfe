// The API edge under attack: malformed request lines, URLs, headers and bodies get 4xx and a closed
// connection, berthd stays up; bodies are decoded as Docker's Go decoder does; unapplied fields are
// refused by name; TCP without client certificates is refused. Expectations were checked against
// Docker (the reference dockerd) where Docker answers them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startDaemon, BERTHD, type TestDaemon } from '../helpers/daemon.js';
import { rawExchange, statusOf } from '../helpers/raw-http.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => { await d?.stop(); });

async function alive(): Promise<void> {
  const r = await d.api('GET', '/_ping');
  assert.equal(r.status, 200, 'berthd answers /_ping');
}

const json = (r: { body: string }) => JSON.parse(r.body) as { message: string; Id?: string };

test('bad request lines, targets and heads: 301/400/431, connection closed, daemon alive', async () => {
  const slash = await rawExchange(d.socket, 'GET // HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(statusOf(slash.text), 301, slash.text); // as Docker: redirect to the clean path
  assert.match(slash.text, /Location: \/\r\n/);
  await alive();
  for (const bad of ['GARBAGE\r\n\r\n', 'GET /_ping HTTP/9.9\r\n\r\n', 'GET /_ping HTTP/1.1\r\nBad Header\r\n\r\n', '\x00\x01\x02\r\n\r\n']) {
    const r = await rawExchange(d.socket, bad);
    assert.equal(statusOf(r.text), 400, JSON.stringify(bad) + ' → ' + r.text);
    assert.ok(r.closed, 'connection closed');
  }
  const huge = await rawExchange(d.socket, `GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`);
  assert.equal(statusOf(huge.text), 431, huge.text.slice(0, 200));
  for (const target of ['/%zz', '/containers/%zz/json', '/v1.44/containers/%E0%A4%A/json']) {
    const r = await rawExchange(d.socket, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(r.text), 400, target + ' → ' + r.text);
  }
  const upgradeSlash = await rawExchange(d.socket, 'POST //exec/x/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
  assert.ok([301, 400, 404].includes(statusOf(upgradeSlash.text)), upgradeSlash.text);
  await alive();
});

test('create: null, wrong types and malformed JSON are 400 naming the field', async () => {
  const empty = await d.api('POST', '/containers/create', 'null');
  assert.equal(empty.status, 400);
  assert.equal(json(empty).message, 'Config cannot be empty in order to create a container');
  const typed = await d.api('POST', '/containers/create', { Image: 7, HostConfig: { Memory: 'x' } });
  assert.equal(typed.status, 400);
  assert.match(json(typed).message, /Image of type string/);
  const mem = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { Memory: 'x' } });
  assert.equal(mem.status, 400);
  assert.match(json(mem).message, /HostConfig\.Memory of type int64/);
  const frac = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { Memory: 1.5 } });
  assert.match(json(frac).message, /number 1\.5 into Go struct field HostConfig\.Memory/);
  for (const body of ['[1]', '"x"', '{"Image":"busybox"', '{"Image":"busybox","Cmd":[1]}', '{"Image":"busybox","Env":"A=1"}', '{"Image":"busybox","HostConfig":{"PortBindings":{"80/tcp":"x"}}}']) {
    const r = await d.api('POST', '/containers/create', body);
    assert.equal(r.status, 400, body + ' → ' + r.body);
    assert.ok(json(r).message.length > 0);
  }
  const env = await d.api('POST', '/containers/create', { Image: 'busybox', Env: ['=x'] });
  assert.equal(env.status, 400);
  assert.equal(json(env).message, 'invalid environment variable: =x');
  await alive();
});

test('create: keys case-insensitive, null is absent, unknown keys ignored, Cmd string is one element', async () => {
  const r = await d.api('POST', '/containers/create', {
    image: 'busybox', Cmd: 'echo hi', Entrypoint: null, NotADockerField: 1,
    hostconfig: { TmpFs: { '/t': '' }, memory: null, AutoRemove: false },
  });
  assert.equal(r.status, 201, r.body);
  const id = json(r).Id!;
  const inspect = JSON.parse((await d.api('GET', `/containers/${id}/json`)).body);
  assert.deepEqual(inspect.Config.Cmd, ['echo hi']);
  assert.deepEqual(inspect.HostConfig.Tmpfs, { '/t': '' });
  assert.equal(inspect.Config.NotADockerField, undefined);
  assert.equal(inspect.Config.Image, 'busybox');
  await d.api('DELETE', `/containers/${id}?force=1`);
});

test('create: fields Berth does not apply are refused by name (or by the engine in Docker\'s words); their zero values are accepted', async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ HostConfig: { CgroupParent: 'mine' } }, /HostConfig\.CgroupParent/],
    [{ HostConfig: { UsernsMode: 'private' } }, /HostConfig\.UsernsMode/],
    [{ HostConfig: { StorageOpt: { size: '1G' } } }, /HostConfig\.StorageOpt/],
    // Applied by the engine, which refuses what it cannot apply in Docker's words.
    [{ HostConfig: { SecurityOpt: ['foo=bar'] } }, /invalid --security-opt 2: "foo=bar"/],
    [{ HostConfig: { Sysctls: { 'vm.swappiness': '1' } } }, /vm\.swappiness/],
    [{ HostConfig: { LogConfig: { Type: 'syslog' } } }, /logging plugin syslog/],
    [{ hostconfig: { cgroupparent: 'x' } }, /HostConfig\.CgroupParent/],
  ];
  for (const [extra, re] of cases) {
    const r = await d.api('POST', '/containers/create', { Image: 'busybox', ...extra });
    assert.equal(r.status, 400, JSON.stringify(extra) + ' → ' + r.body);
    assert.match(json(r).message, re);
  }
  // What the docker CLI sends for a plain `docker create busybox` (every unused field at its zero value).
  const cli = {
    Image: 'busybox', Volumes: {}, Labels: {}, Env: null, Cmd: null, Entrypoint: null, OnBuild: null,
    HostConfig: {
      Binds: null, ContainerIDFile: '', LogConfig: { Type: '', Config: {} }, NetworkMode: 'default', PortBindings: {},
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, VolumeDriver: '', VolumesFrom: null, ConsoleSize: [0, 0],
      CapAdd: null, CapDrop: null, CgroupnsMode: '', Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: null, GroupAdd: null, IpcMode: '',
      Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '', Privileged: false, PublishAllPorts: false, ReadonlyRootfs: false, SecurityOpt: null,
      UTSMode: '', UsernsMode: '', ShmSize: 0, Isolation: '', CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '', BlkioWeight: 0,
      BlkioWeightDevice: [], BlkioDeviceReadBps: [], CpuPeriod: 0, CpuQuota: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: '',
      CpusetMems: '', Devices: [], DeviceCgroupRules: null, DeviceRequests: null, MemoryReservation: 0, MemorySwap: 0, MemorySwappiness: -1,
      OomKillDisable: false, PidsLimit: 0, Ulimits: [], CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0, MaskedPaths: null, ReadonlyPaths: null,
    },
    NetworkingConfig: { EndpointsConfig: { default: { IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null } } },
  };
  const ok = await d.api('POST', '/containers/create', cli);
  assert.equal(ok.status, 201, ok.body);
  await d.api('DELETE', `/containers/${json(ok).Id}?force=1`);
});

test('queries: booleans, integers, enums and filters that do not parse are 400 naming the parameter', async () => {
  const cases: Array<[string, RegExp]> = [
    ['/containers/json?all=maybe', /all/],
    ['/containers/json?limit=abc', /limit/],
    ['/containers/json?filters=xx', /filter/],
    ['/containers/json?filters=[1]', /filter/],
    ['/containers/json?filters={"status":[1]}', /status/],
    ['/containers/json?filters={"bogus":["x"]}', /bogus/],
    ['/images/json?all=2', /all/],
    ['/events?filters={"type":7}', /type/],
  ];
  for (const [path, re] of cases) {
    const r = await d.api('GET', encodeURI(path));
    assert.equal(r.status, 400, path + ' → ' + r.body);
    assert.match(json(r).message, re);
  }
  const wait = await d.api('POST', '/containers/nonexistent/wait?condition=sometime');
  assert.equal(wait.status, 404); // the container is looked up first, as Docker does
  await alive();
});

test('bodies: oversize JSON is refused, an upgraded request with a huge Content-Length is a 400', async () => {
  const big = await d.api('POST', '/volumes/create', JSON.stringify({ Name: 'x', Labels: { a: 'b'.repeat(5 * 1024 * 1024) } }));
  assert.equal(big.status, 400);
  const r = await rawExchange(d.socket, 'POST /exec/whatever/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{}');
  assert.equal(statusOf(r.text), 400, r.text);
  assert.ok(r.closed);
  await alive();
});

test('TCP: --tls without --tlsverify is refused at start unless --insecure-tcp', () => {
  const r = spawnSync(process.execPath, [BERTHD, '-H', 'tcp://127.0.0.1:1', '--tls', '--tlscert', '/nonexistent', '--tlskey', '/nonexistent',
    '--data-root', '/nonexistent-berth-root', '--exec-root', '/nonexistent-berth-exec'], { encoding: 'utf8', timeout: 30_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /without --tlsverify/);
});
