// /_ping, /version, /info, /events.
import os from 'node:os';
import { readFileSync, statfsSync } from 'node:fs';
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { API_VERSION, MIN_API_VERSION, filtersQuery, checkFilterKeys, sendJson, startStream, type RequestContext, type Filters } from '../context.js';
import { probeRuntimes, cgroupLayout } from '../../runtime/runtimes.js';
import type { EngineEvent } from '../../model/events.js';
import { invalidArgument } from '../../errors.js';
import { log } from '../../util/log.js';

export const BERTH_VERSION = '0.1.0';

/** Bytes of events queued for one slow client before its stream is closed. */
const EVENTS_BUFFER_LIMIT = 4 * 1024 * 1024;

function kernelVersion(): string {
  return os.release();
}

function osName(): string {
  try {
    const m = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'));
    return m ? m[1] : 'Linux';
  } catch { return 'Linux'; }
}

/** A 0/1 flag of the host's /proc/sys, false when unreadable. */
function hostFlag(path: string): boolean {
  try { return readFileSync(path, 'utf8').trim() === '1'; } catch { return false; }
}

/** Docker's name for the filesystem under the data root (statfs magic numbers, as moby's fsutils). */
const FS_NAMES: Record<number, string> = {
  0xef53: 'extfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs',
  0x2fc12fc1: 'zfs', 0x6969: 'nfs', 0x65735546: 'fuseblk', 0x52654973: 'reiserfs', 0xf15f: 'ecryptfs', 0x3153464a: 'jfs',
};
function backingFilesystem(dir: string): string {
  try {
    const type = statfsSync(dir).type;
    return FS_NAMES[type] ?? '<unknown>';
  } catch { return '<unknown>'; }
}

function ping(ctx: RequestContext): void {
  ctx.res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    'Builder-Version': '1',
    'Content-Length': 2,
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
}

/** Docker's event time filters: unix seconds (with optional fraction) or RFC 3339. */
export function parseEventTime(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) {
    const [s, frac = ''] = v.split('.');
    return Number(s) * 1e9 + Number((frac + '000000000').slice(0, 9));
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`invalid time value ${v}`);
  return t * 1e6;
}

function eventMatches(ev: EngineEvent, f: Filters): boolean {
  const any = (key: string, test: (v: string) => boolean) => !f[key] || f[key].length === 0 || f[key].some(test);
  const attrs = ev.Actor.Attributes;
  return any('type', (v) => v === ev.Type)
    && any('event', (v) => v === ev.Action || ev.Action.startsWith(v + ':'))
    && any('container', (v) => ev.Type === 'container' && (ev.Actor.ID.startsWith(v) || attrs.name === v))
    && any('image', (v) => (ev.Type === 'image' && (ev.Actor.ID.includes(v) || attrs.name === v)) || attrs.image === v)
    && any('label', (v) => { const [k, val] = v.split('='); return val === undefined ? k in attrs : attrs[k] === val; })
    && any('network', (v) => ev.Type === 'network' && (ev.Actor.ID.startsWith(v) || attrs.name === v))
    && any('volume', (v) => ev.Type === 'volume' && ev.Actor.ID === v)
    && any('daemon', () => ev.Type === 'daemon')
    && any('scope', (v) => v === 'local');
}

function events(engine: Engine, ctx: RequestContext): void {
  const f = filtersQuery(ctx.query);
  checkFilterKeys(f, ['container', 'event', 'image', 'label', 'network', 'type', 'volume', 'daemon', 'plugin', 'scope', 'node', 'service', 'secret', 'config']);
  const since = ctx.query.get('since');
  const until = ctx.query.get('until');
  const sinceNs = since ? parseEventTime(since) : undefined;
  const untilNs = until ? parseEventTime(until) : undefined;
  const res = startStream(ctx);
  const write = (ev: EngineEvent) => {
    if (untilNs !== undefined && ev.timeNano > untilNs) return;
    if (!eventMatches(ev, f) || res.destroyed) return;
    res.write(JSON.stringify(ev) + '\n');
    // A client that stopped reading is cut off rather than buffered for without bound.
    if (res.writableLength > EVENTS_BUFFER_LIMIT) {
      log.warn('events client is not reading; closing its stream', { buffered: res.writableLength });
      res.destroy();
    }
  };
  if (sinceNs !== undefined) for (const ev of engine.events.since(sinceNs)) write(ev);
  if (untilNs !== undefined && untilNs <= Date.now() * 1e6) { res.end(); return; }
  const unsubscribe = engine.events.subscribe(write);
  let timer: NodeJS.Timeout | undefined;
  if (untilNs !== undefined) timer = setTimeout(() => res.end(), Math.max(0, untilNs / 1e6 - Date.now()));
  const stop = () => { unsubscribe(); if (timer) clearTimeout(timer); };
  res.on('close', stop);
  res.on('finish', stop);
}

export function registerSystemRoutes(router: Router, engine: Engine): void {
  router.get('/_ping', ping);
  // Berth's own endpoint (not Docker's API): what start-up recovery set aside instead of deleting.
  router.get('/berth/system/check', (ctx) => {
    sendJson(ctx, 200, { Quarantined: engine.containers.store.quarantinedList().map((q) => ({ ID: q.id, Reason: q.reason, Path: q.dir, At: q.at })) });
  });
  router.head('/_ping', ping);

  router.get('/version', (ctx) => {
    sendJson(ctx, 200, {
      Platform: { Name: 'Berth Engine' },
      Components: [{ Name: 'Engine', Version: BERTH_VERSION, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: goArch(), KernelVersion: kernelVersion() } }],
      Version: BERTH_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: 'berth',
      GoVersion: `node${process.versions.node}`,
      Os: 'linux',
      Arch: goArch(),
      KernelVersion: kernelVersion(),
      BuildTime: '',
    });
  });

  router.get('/info', (ctx) => {
    const cfg = engine.config;
    const c = engine.containers.counts();
    const runtimes: Record<string, { path: string; status?: Record<string, string> }> = {};
    for (const r of probeRuntimes(cfg)) {
      runtimes[r.name] = { path: r.path, status: { usable: String(r.usable), ...(r.version ? { version: r.version } : {}), ...(r.reason ? { reason: r.reason } : {}) } };
    }
    sendJson(ctx, 200, {
      ID: engine.instanceId,
      Containers: c.total,
      ContainersRunning: c.running,
      ContainersPaused: c.paused,
      ContainersStopped: c.stopped,
      Images: engine.images.count(),
      Driver: 'overlay2',
      DriverStatus: [['Backing Filesystem', backingFilesystem(cfg.dataRoot)], ['Supports d_type', 'true'], ['Using metacopy', 'false'], ['Native Overlay Diff', 'true']],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file', 'k8s-file', 'local', 'none'] },
      MemoryLimit: true,
      SwapLimit: false,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: hostFlag('/proc/sys/net/ipv4/ip_forward'),
      Debug: cfg.logLevel === 'debug',
      NFd: 0,
      OomKillDisable: false,
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: engine.config.logDriver,
      CgroupDriver: 'cgroupfs',
      CgroupVersion: cgroupLayout() === 'v2' ? '2' : '1',
      NEventsListener: 0,
      KernelVersion: kernelVersion(),
      OperatingSystem: osName(),
      OSVersion: '',
      OSType: 'linux',
      Architecture: os.machine(),
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: [] },
      NCPU: os.cpus().length,
      MemTotal: os.totalmem(),
      DockerRootDir: cfg.dataRoot,
      HttpProxy: '', HttpsProxy: '', NoProxy: '',
      Name: os.hostname(),
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: BERTH_VERSION,
      Runtimes: runtimes,
      DefaultRuntime: cfg.defaultRuntime,
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: true,
      Isolation: '',
      InitBinary: '',
      ContainerdCommit: { ID: '' }, RuncCommit: { ID: '' }, InitCommit: { ID: '' },
      // Docker's names: the default seccomp profile is applied to every unprivileged container.
      SecurityOptions: ['name=seccomp,profile=builtin', ...(cfg.containers.userns ? ['name=userns'] : [])],
      Warnings: cfg.hosts.some((h) => h.startsWith('tcp://')) && !cfg.tls ? ['WARNING: API is accessible on http:// without encryption.'] : [],
    });
  });

  router.get('/events', (ctx) => events(engine, ctx));

  // Docker's `system df`: images with shared sizes, containers with their writable-layer size. Volumes and
  // the build cache are empty until those features exist.
  router.get('/system/df', async (ctx) => {
    const types = ctx.query.getAll('type');
    const want = (t: string) => types.length === 0 || types.includes(t);
    for (const t of types) {
      if (!['container', 'image', 'volume', 'build-cache'].includes(t)) throw invalidArgument(`unknown object type: ${t}`);
    }
    const body: Record<string, unknown> = {};
    if (want('image')) {
      const du = await engine.images.diskUsage();
      body.LayersSize = du.LayersSize;
      body.Images = du.Images;
    }
    if (want('container')) body.Containers = await engine.containers.diskUsage();
    if (want('volume')) body.Volumes = await engine.volumes.diskUsage();
    if (want('build-cache')) body.BuildCache = [];
    sendJson(ctx, 200, body);
  });
}

function goArch(): string {
  const a = os.arch();
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}
