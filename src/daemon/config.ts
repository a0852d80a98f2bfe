// berthd configuration: flags (Docker's dockerd names) over daemon.json over defaults.
import { readFileSync, existsSync } from 'node:fs';
import { invalidArgument } from '../errors.js';
import { isLogLevel, type LogLevel } from '../util/log.js';

import type { RuntimeEntry } from '../runtime/runtimes.js';

export type { RuntimeEntry };

export interface DaemonConfig {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  logLevel: LogLevel;
  defaultRuntime: string;
  runtimes: Record<string, RuntimeEntry>;
  /** Group owning the UNIX socket (Docker's --group); root when unset. */
  group?: string;
  tls: boolean;
  tlsVerify: boolean;
  tlsCaCert?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Explicit opt-in to plain TCP without TLS (refused otherwise). */
  insecureTcp: boolean;
  /** Seed `busybox:latest` from the host's busybox-static when no busybox image exists. */
  seedBusybox: boolean;
  configFile?: string;
  /** Host bridge of the default `bridge` network (Berth's own, beside Docker's docker0). */
  bridgeName: string;
  /** Gateway address and prefix of the default bridge (daemon.json `bip`). */
  bip: string;
  /** Pools that user-defined networks take their subnets from (daemon.json `default-address-pools`). */
  defaultAddressPools: Array<{ base: string; size: number }>;
  /** Default container log driver and options (daemon.json `log-driver`, `log-opts`). */
  logDriver: string;
  /** Berth bounds container logs by default (Docker does not: moby#40207); daemon.json replaces it. */
  logOpts: Record<string, string>;
  /** Registries reached over plain HTTP (daemon.json `insecure-registries`: host[:port] or CIDR). */
  insecureRegistries: string[];
  /** Mirrors tried first for docker.io (daemon.json `registry-mirrors`). */
  registryMirrors: string[];
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  /** Per-registry CA and client certificates, Docker's certs.d layout. */
  registryCertsDir: string;
  /** The built-in registry server (daemon.json `registry-server`), off when unset. */
  registryServer?: RegistryServerConfig;
  /** dockerd's userns-remap: `default`, `user` or `user:group`; containers get a user namespace. */
  usernsRemap?: string;
}

/** daemon.json `"registry-server": {"addr", "htpasswd", "realm", "tls-cert", "tls-key"}`. */
export interface RegistryServerConfig { addr: string; htpasswd?: string; realm?: string; tlsCert?: string; tlsKey?: string }

function parseRegistryServer(v: unknown): RegistryServerConfig {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalidArgument('registry-server: want an object such as {"addr": "127.0.0.1:5000"}');
  const o = v as Record<string, unknown>;
  const keys: Record<string, keyof RegistryServerConfig> = { addr: 'addr', htpasswd: 'htpasswd', realm: 'realm', 'tls-cert': 'tlsCert', 'tls-key': 'tlsKey' };
  const out: Partial<RegistryServerConfig> = {};
  for (const [k, val] of Object.entries(o)) {
    if (!(k in keys)) throw invalidArgument(`registry-server: unknown option ${JSON.stringify(k)}`);
    if (typeof val !== 'string' || !val) throw invalidArgument(`registry-server: ${k} must be a non-empty string`);
    out[keys[k]] = val;
  }
  if (!out.addr) throw invalidArgument('registry-server: addr (HOST:PORT) is required');
  if ((out.tlsCert === undefined) !== (out.tlsKey === undefined)) throw invalidArgument('registry-server: tls-cert and tls-key go together');
  return out as RegistryServerConfig;
}

export const DEFAULT_SOCKET = 'unix:///run/berth/berth.sock';

export function defaultConfig(): DaemonConfig {
  return {
    hosts: [],
    dataRoot: '/var/lib/berth',
    execRoot: '/run/berth',
    logLevel: 'info',
    defaultRuntime: 'runc',
    runtimes: {
      runc: { path: '/usr/sbin/runc' },
      crun: { path: '/usr/bin/crun' },
    },
    tls: false,
    tlsVerify: false,
    insecureTcp: false,
    seedBusybox: true,
    bridgeName: 'berth0',
    bip: '172.30.0.1/16',
    defaultAddressPools: [{ base: '172.29.0.0/16', size: 24 }],
    logDriver: 'json-file',
    logOpts: { 'max-size': '100m', 'max-file': '5' },
    insecureRegistries: [],
    registryMirrors: [],
    maxConcurrentDownloads: 3,
    maxConcurrentUploads: 5,
    registryCertsDir: '/etc/berth/certs.d',
  };
}

const usage = `Usage: berthd [OPTIONS]

A container engine that serves the Docker Engine API.

Options:
  -H, --host list              Daemon socket(s) to connect to (default unix:///run/berth/berth.sock)
      --data-root string       Root directory of persistent state (default "/var/lib/berth")
      --exec-root string       Root directory for execution state files (default "/run/berth")
      --config-file string     Daemon configuration file (default "/etc/berth/daemon.json")
  -l, --log-level string       Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
      --default-runtime string Default OCI runtime for containers (default "runc")
  -G, --group string           Group for the unix socket (default root)
      --tls                    Use TLS; implied by --tlsverify
      --tlsverify              Use TLS and verify the remote
      --tlscacert string       Trust certs signed only by this CA
      --tlscert string         Path to TLS certificate file
      --tlskey string          Path to TLS key file
      --insecure-tcp           Allow TCP without TLS client verification (anyone who reaches the port is root)
      --no-seed-busybox        Do not create busybox:latest from the host's busybox-static
  -b, --bridge string          Host bridge of the default network (default "berth0")
      --bip string             Gateway address/prefix of the default bridge (default "172.30.0.1/16")
      --insecure-registry list Registry reached over plain HTTP (host[:port] or CIDR)
      --registry-mirror list   Preferred Docker Hub mirror
      --registry-certs-dir string  Per-registry CAs and client certificates, Docker's certs.d layout (default "/etc/berth/certs.d")
      --max-concurrent-downloads int  Layer downloads at once per pull (default 3)
      --max-concurrent-uploads int    Layer uploads at once per push (default 5)
      --userns-remap string    User/Group setting for user namespaces (default, USER or USER:GROUP)
      --default-address-pool   Pool for user-defined networks, as base=CIDR,size=N (default base=172.29.0.0/16,size=24)
  -h, --help                   Print usage
`;

export class HelpRequested extends Error {
  readonly usage = usage;
}

/** Applies Docker's daemon.json keys that Berth understands. */
function applyFile(cfg: DaemonConfig, path: string): void {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  if (Array.isArray(raw.hosts)) cfg.hosts = raw.hosts.map(String);
  if (typeof raw['data-root'] === 'string') cfg.dataRoot = raw['data-root'];
  if (typeof raw['exec-root'] === 'string') cfg.execRoot = raw['exec-root'];
  if (typeof raw['log-level'] === 'string' && isLogLevel(raw['log-level'])) cfg.logLevel = raw['log-level'];
  if (typeof raw['default-runtime'] === 'string') cfg.defaultRuntime = raw['default-runtime'];
  if (typeof raw.group === 'string') cfg.group = raw.group;
  if (typeof raw.tls === 'boolean') cfg.tls = raw.tls;
  if (typeof raw.tlsverify === 'boolean') cfg.tlsVerify = raw.tlsverify;
  if (typeof raw.tlscacert === 'string') cfg.tlsCaCert = raw.tlscacert;
  if (typeof raw.tlscert === 'string') cfg.tlsCert = raw.tlscert;
  if (typeof raw.tlskey === 'string') cfg.tlsKey = raw.tlskey;
  if (typeof raw.bridge === 'string' && raw.bridge) cfg.bridgeName = raw.bridge;
  if (typeof raw.bip === 'string' && raw.bip) cfg.bip = raw.bip;
  if (Array.isArray(raw['default-address-pools'])) {
    cfg.defaultAddressPools = (raw['default-address-pools'] as Array<{ base?: unknown; size?: unknown }>)
      .filter((p) => typeof p?.base === 'string' && typeof p.size === 'number')
      .map((p) => ({ base: String(p.base), size: Number(p.size) }));
  }
  if (typeof raw['log-driver'] === 'string' && raw['log-driver']) cfg.logDriver = raw['log-driver'];
  if (raw['log-opts'] && typeof raw['log-opts'] === 'object') {
    cfg.logOpts = Object.fromEntries(Object.entries(raw['log-opts'] as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  if (Array.isArray(raw['insecure-registries'])) cfg.insecureRegistries = raw['insecure-registries'].map(String);
  if (Array.isArray(raw['registry-mirrors'])) cfg.registryMirrors = raw['registry-mirrors'].map(String);
  if (raw['registry-certs-dir'] !== undefined) {
    if (typeof raw['registry-certs-dir'] !== 'string' || !raw['registry-certs-dir']) throw invalidArgument('registry-certs-dir: want a directory path');
    cfg.registryCertsDir = raw['registry-certs-dir'];
  }
  for (const [key, field] of [['max-concurrent-downloads', 'maxConcurrentDownloads'], ['max-concurrent-uploads', 'maxConcurrentUploads']] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalidArgument(`invalid ${key}: must be a positive integer`);
    cfg[field] = v;
  }
  if (raw['userns-remap'] !== undefined) {
    if (typeof raw['userns-remap'] !== 'string') throw invalidArgument('userns-remap: want a string (default, USER or USER:GROUP)');
    cfg.usernsRemap = raw['userns-remap'] || undefined;
  }
  if (raw['registry-server'] !== undefined) cfg.registryServer = parseRegistryServer(raw['registry-server']);
  if (raw.runtimes && typeof raw.runtimes === 'object') {
    for (const [name, v] of Object.entries(raw.runtimes as Record<string, { path?: string; runtimeArgs?: string[] }>)) {
      if (v && typeof v.path === 'string') cfg.runtimes[name] = { path: v.path, runtimeArgs: v.runtimeArgs };
    }
  }
}

export function parseDaemonArgs(argv: string[]): DaemonConfig {
  const cfg = defaultConfig();
  const flagHosts: string[] = [];
  const set: Partial<DaemonConfig> = {};
  let configFile = '/etc/berth/daemon.json';
  let configFileGiven = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) { value = arg.slice(eq + 1); arg = arg.slice(0, eq); }
    const take = (): string => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined) throw invalidArgument(`flag needs an argument: ${arg}`);
      return v;
    };
    switch (arg) {
      case '-h': case '--help': throw new HelpRequested();
      case '-H': case '--host': flagHosts.push(take()); break;
      case '--data-root': set.dataRoot = take(); break;
      case '--exec-root': set.execRoot = take(); break;
      case '--config-file': configFile = take(); configFileGiven = true; break;
      case '-l': case '--log-level': {
        const v = take();
        if (!isLogLevel(v)) throw invalidArgument(`unable to parse logging level: ${v}`);
        set.logLevel = v; break;
      }
      case '-D': case '--debug': set.logLevel = 'debug'; break;
      case '--default-runtime': set.defaultRuntime = take(); break;
      case '-G': case '--group': set.group = take(); break;
      case '--tls': set.tls = value === undefined ? true : value !== 'false'; break;
      case '--tlsverify': set.tlsVerify = value === undefined ? true : value !== 'false'; break;
      case '--tlscacert': set.tlsCaCert = take(); break;
      case '--tlscert': set.tlsCert = take(); break;
      case '--tlskey': set.tlsKey = take(); break;
      case '--insecure-tcp': set.insecureTcp = true; break;
      case '--userns-remap': set.usernsRemap = take() || undefined; break;
      case '--no-seed-busybox': set.seedBusybox = false; break;
      case '-b': case '--bridge': set.bridgeName = take(); break;
      case '--bip': set.bip = take(); break;
      case '--insecure-registry': (set.insecureRegistries ??= []).push(take()); break;
      case '--registry-mirror': (set.registryMirrors ??= []).push(take()); break;
      case '--registry-certs-dir': set.registryCertsDir = take(); break;
      case '--max-concurrent-downloads': case '--max-concurrent-uploads': {
        const n = Number(take());
        if (!Number.isInteger(n) || n < 1) throw invalidArgument(`invalid ${arg}: must be a positive integer`);
        set[arg === '--max-concurrent-downloads' ? 'maxConcurrentDownloads' : 'maxConcurrentUploads'] = n;
        break;
      }
      case '--default-address-pool': {
        const kv = Object.fromEntries(take().split(',').map((p) => p.split('=', 2)));
        if (!kv.base || !Number(kv.size)) throw invalidArgument('invalid default address pool: want base=CIDR,size=N');
        (set.defaultAddressPools ??= []).push({ base: kv.base, size: Number(kv.size) });
        break;
      }
      default: throw invalidArgument(`unknown flag: ${arg}\nSee 'berthd --help'.`);
    }
  }
  if (existsSync(configFile)) applyFile(cfg, configFile);
  else if (configFileGiven) throw invalidArgument(`unable to configure the daemon: open ${configFile}: no such file or directory`);
  Object.assign(cfg, set);
  if (flagHosts.length) cfg.hosts = flagHosts;
  if (cfg.hosts.length === 0) cfg.hosts = [DEFAULT_SOCKET];
  if (cfg.tlsVerify) cfg.tls = true;
  checkTcpSecurity(cfg);
  cfg.configFile = configFile;
  if (!(cfg.defaultRuntime in cfg.runtimes)) throw invalidArgument(`default runtime ${cfg.defaultRuntime} not found among configured runtimes`);
  return cfg;
}

/**
 * TCP is root over the network: it needs TLS with client certificates (--tlsverify --tlscacert). Plain
 * TCP, or TLS that lets any client in, is refused unless the user opts in with --insecure-tcp. Checked
 * at flag parsing, so berthd refuses before it touches its data root.
 */
export function checkTcpSecurity(cfg: DaemonConfig): void {
  for (const host of cfg.hosts) {
    if (!host.startsWith('tcp://') || cfg.insecureTcp) continue;
    if (!cfg.tls) {
      throw invalidArgument(`refusing to listen on ${host} without TLS: anyone who reaches it would be root. Use --tlsverify --tlscacert --tlscert --tlskey, or --insecure-tcp to accept the risk`);
    }
    if (!cfg.tlsVerify) {
      throw invalidArgument(`refusing to listen on ${host} with --tls but without --tlsverify: any client could connect and would be root. Add --tlsverify --tlscacert ca.pem, or --insecure-tcp to accept the risk`);
    }
  }
}
