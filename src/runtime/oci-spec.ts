// Builds the OCI runtime spec (config.json) for a container the way Docker does: namespaces, Docker's
// default capabilities, masked and read-only /proc and /sys paths, standard mounts, device cgroup rules,
// generated /etc files bind-mounted in, rlimits inherited from the daemon. Pure: no I/O, unit-tested.
import { existsSync } from 'node:fs';
import type { Rlimit } from './rlimits.js';
import type { ResolvedUser } from './user.js';
import type { IdRange } from './userns/remap.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface OciMount { destination: string; type: string; source: string; options?: string[] }

export interface SpecInput {
  rootfs: string;
  /**
   * Mount the overlay inside the container's own mount namespace (first mount, onto "/") instead of on
   * the host: no mount/umount processes on the hot path, and nothing left mounted when it exits.
   */
  overlay?: { lower: string[]; upper: string; work: string };
  readonlyRootfs?: boolean;
  args: string[];
  /** Config.Env after the image merge; PATH/HOSTNAME/TERM are added as Docker does. */
  env: string[];
  cwd: string;
  user: ResolvedUser;
  hostname: string;
  domainname?: string;
  tty: boolean;
  openStdin?: boolean;
  capabilities: string[];
  privileged?: boolean;
  /** HostConfig.MaskedPaths/ReadonlyPaths: Docker's defaults when unset; ignored when privileged. */
  maskedPaths?: string[] | null;
  readonlyPaths?: string[] | null;
  /** `host` shares the host's network namespace; `netnsPath` joins a prepared one; otherwise a new one. */
  networkMode: string;
  netnsPath?: string;
  rlimits: Rlimit[];
  shmSize?: number;
  etcFiles: { hosts: string; hostname: string; resolvConf: string };
  /** Extra bind mounts (from HostConfig.Binds). */
  binds?: OciMount[];
  cgroupsPath: string;
  resources?: { memory?: number; memorySwap?: number; cpuShares?: number; cpuQuota?: number; cpuPeriod?: number; cpusetCpus?: string; pidsLimit?: number };
  consoleSize?: { height: number; width: number };
  /** A user namespace of its own with these mappings (userns-remap). */
  userns?: { uids: IdRange[]; gids: IdRange[]; path?: string };
}

export interface OciSpec {
  ociVersion: string;
  process: Record<string, unknown>;
  root: { path: string; readonly: boolean };
  hostname: string;
  domainname?: string;
  mounts: OciMount[];
  linux: Record<string, unknown>;
}

/** Docker's daemon environment, overridden or extended by the container's own Env. */
export function processEnv(env: string[], hostname: string, tty: boolean): string[] {
  const out = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${hostname}`];
  if (tty) out.push('TERM=xterm');
  for (const kv of env) {
    const key = kv.includes('=') ? kv.slice(0, kv.indexOf('=')) : kv;
    if (!kv.includes('=')) continue; // a bare KEY without value means "unset" in Docker
    const i = out.findIndex((e) => e.startsWith(key + '='));
    if (i >= 0) out[i] = kv; else out.push(kv);
  }
  return out;
}

function standardMounts(shmSize: number, privileged: boolean): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', privileged ? 'rw' : 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', privileged ? 'rw' : 'ro'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`] },
  ];
}

/** Device cgroup rules Docker allows by default (everything else denied). */
const DEFAULT_DEVICE_RULES = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // /dev/zero
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // /dev/null
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // /dev/urandom
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // /dev/random
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // /dev/tty
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // /dev/console
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' }, // /dev/full
  { allow: true, type: 'c', major: 136, access: 'rwm' }, // /dev/pts/*
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // /dev/ptmx
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }, // /dev/net/tun
  { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // /dev/fuse stays off
];

const etcBind = (source: string, destination: string): OciMount => ({ destination, type: 'bind', source, options: ['rbind', 'rprivate'] });

export function buildSpec(input: SpecInput): OciSpec {
  const caps = input.capabilities;
  const namespaces: Array<{ type: string; path?: string }> = [{ type: 'mount' }, { type: 'pid' }, { type: 'ipc' }, { type: 'uts' }];
  // A user namespace pinned by berthd (its network namespace belongs to it), or a new one.
  if (input.userns) namespaces.push(input.userns.path ? { type: 'user', path: input.userns.path } : { type: 'user' });
  if (input.networkMode !== 'host') namespaces.push(input.netnsPath ? { type: 'network', path: input.netnsPath } : { type: 'network' });
  const mounts: OciMount[] = [];
  if (input.overlay) {
    const o = input.overlay;
    mounts.push({ destination: '/', type: 'overlay', source: 'overlay', options: [`lowerdir=${o.lower.join(':')}`, `upperdir=${o.upper}`, `workdir=${o.work}`] });
  }
  // User mounts replace defaults at the same destination; parents are mounted before children (a
  // volume on /etc must not hide /etc/hosts), as Docker sorts them.
  const userDest = new Set((input.binds ?? []).map((b) => b.destination));
  mounts.push(...standardMounts(input.shmSize || 64 * 1024 * 1024, !!input.privileged).filter((m) => !userDest.has(m.destination)));
  const etc = [
    etcBind(input.etcFiles.resolvConf, '/etc/resolv.conf'),
    etcBind(input.etcFiles.hostname, '/etc/hostname'),
    etcBind(input.etcFiles.hosts, '/etc/hosts'),
  ].filter((m) => !userDest.has(m.destination));
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  mounts.push(...[...etc, ...(input.binds ?? [])].sort((a, b) => depth(a.destination) - depth(b.destination)));

  const r = input.resources ?? {};
  const resources: Record<string, unknown> = { devices: input.privileged ? [{ allow: true, access: 'rwm' }] : DEFAULT_DEVICE_RULES };
  if (r.memory) resources.memory = { limit: r.memory, ...(r.memorySwap ? { swap: r.memorySwap } : {}) };
  const cpu: Record<string, unknown> = {};
  if (r.cpuShares) cpu.shares = r.cpuShares;
  if (r.cpuQuota) { cpu.quota = r.cpuQuota; cpu.period = r.cpuPeriod || 100000; }
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (Object.keys(cpu).length) resources.cpu = cpu;
  if (r.pidsLimit && r.pidsLimit > 0) resources.pids = { limit: r.pidsLimit };

  const linux: Record<string, unknown> = {
    resources,
    cgroupsPath: input.cgroupsPath,
    namespaces,
  };
  if (input.userns) { linux.uidMappings = input.userns.uids; linux.gidMappings = input.userns.gids; }
  // Docker's defaults for a container with a network namespace of its own: unprivileged ping sockets and
  // low ports without CAP_NET_BIND_SERVICE (not for host or container:<id> networking).
  if (input.networkMode !== 'host' && !input.networkMode.startsWith('container:')) {
    const sysctl: Record<string, string> = {};
    // As dockerd: no ping socket range in a user namespace (the range's gids are not mapped there).
    if (!input.userns && existsSync('/proc/sys/net/ipv4/ping_group_range')) sysctl['net.ipv4.ping_group_range'] = '0 2147483647';
    if (existsSync('/proc/sys/net/ipv4/ip_unprivileged_port_start')) sysctl['net.ipv4.ip_unprivileged_port_start'] = '0';
    linux.sysctl = sysctl;
  }
  if (!input.privileged) {
    linux.maskedPaths = input.maskedPaths ?? MASKED_PATHS;
    linux.readonlyPaths = input.readonlyPaths ?? READONLY_PATHS;
  }

  const process: Record<string, unknown> = {
    terminal: input.tty,
    user: { uid: input.user.uid, gid: input.user.gid, ...(input.user.additionalGids.length ? { additionalGids: input.user.additionalGids } : {}) },
    args: input.args,
    env: processEnv(input.env, input.hostname, input.tty),
    cwd: input.cwd || '/',
    // Docker grants no inheritable or ambient capabilities to non-privileged processes.
    capabilities: { bounding: caps, effective: caps, permitted: caps },
    rlimits: input.rlimits,
    noNewPrivileges: false,
  };
  if (input.tty && input.consoleSize) process.consoleSize = input.consoleSize;

  return {
    ociVersion: '1.0.2-dev',
    process,
    root: { path: input.rootfs, readonly: !!input.readonlyRootfs },
    hostname: input.hostname,
    ...(input.domainname ? { domainname: input.domainname } : {}),
    mounts,
    linux,
  };
}

/** JSON for the runtime; rlimits of 2^64-1 ("unlimited") must stay exact, which a JS number cannot. */
export function serializeSpec(spec: OciSpec): string {
  return JSON.stringify(spec, (_k, v: unknown) => (typeof v === 'number' && v >= 2 ** 63 ? '__U64_MAX__' : v))
    .replace(/"__U64_MAX__"/g, '18446744073709551615');
}
