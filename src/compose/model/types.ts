// The normalized compose model: every short syntax expanded to its long form, paths absolute, durations
// in nanoseconds, names resolved. `berth compose config` prints it; the engine side reads only this.

export interface BuildConfig {
  context: string;
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
  labels: Record<string, string>;
  no_cache?: boolean;
  network?: string;
  extra_hosts?: string[];
  shm_size?: number;
}

export interface PortConfig {
  target: number;
  /** A port or range (`8080`, `8000-8010`); absent for an ephemeral host port. */
  published?: string;
  host_ip?: string;
  protocol: 'tcp' | 'udp' | 'sctp';
  mode: 'ingress' | 'host';
}

export interface ServiceVolume {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Volume name (project-scoped key as written), absolute host path, or absent (anonymous / tmpfs). */
  source?: string;
  target: string;
  read_only: boolean;
  volume?: { nocopy?: boolean };
  bind?: { create_host_path?: boolean; propagation?: string };
  tmpfs?: { size?: number; mode?: number };
}

export interface ServiceNetwork {
  aliases?: string[];
  ipv4_address?: string;
  priority?: number;
}

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface DependsOn { condition: DependsCondition; restart: boolean; required: boolean }

export interface Healthcheck {
  test?: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  start_period?: number;
  start_interval?: number;
  disable?: boolean;
}

export interface Ulimit { soft: number; hard: number }

export interface FileReference { source: string; target: string; uid?: string; gid?: string; mode?: number }

export interface ServiceConfig {
  name: string;
  image?: string;
  build?: BuildConfig;
  pull_policy?: string;
  container_name?: string;
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment: Record<string, string>;
  ports: PortConfig[];
  expose: string[];
  volumes: ServiceVolume[];
  /** Network key (as in the file) to endpoint settings; empty when network_mode is set. */
  networks: Record<string, ServiceNetwork>;
  network_mode?: string;
  depends_on: Record<string, DependsOn>;
  healthcheck?: Healthcheck;
  restart?: string;
  /** deploy.replicas / scale, overridden by `--scale`. */
  replicas: number;
  limits: { cpus?: number; memory?: number; pids?: number };
  labels: Record<string, string>;
  user?: string;
  working_dir?: string;
  hostname?: string;
  domainname?: string;
  cap_add: string[];
  cap_drop: string[];
  privileged?: boolean;
  init?: boolean;
  stop_signal?: string;
  /** Seconds. */
  stop_grace_period?: number;
  read_only?: boolean;
  tmpfs: string[];
  ulimits: Record<string, Ulimit>;
  extra_hosts: string[];
  dns: string[];
  dns_search: string[];
  sysctls: Record<string, string>;
  logging?: { driver?: string; options: Record<string, string> };
  secrets: FileReference[];
  configs: FileReference[];
  profiles: string[];
  tty?: boolean;
  stdin_open?: boolean;
  shm_size?: number;
  /** develop.watch rules, kept for `watch`. */
  watch: WatchRule[];
}

export interface WatchRule { path: string; action: 'sync' | 'rebuild' | 'sync+restart' | 'restart'; target?: string; ignore: string[] }

export interface NetworkConfig {
  /** The engine's name: `<project>_<key>` unless `name:` or external. */
  name: string;
  external: boolean;
  driver?: string;
  driver_opts: Record<string, string>;
  labels: Record<string, string>;
  internal?: boolean;
  attachable?: boolean;
  enable_ipv6?: boolean;
  ipam?: { driver?: string; config: Array<{ subnet?: string; gateway?: string; ip_range?: string }> };
}

export interface VolumeConfig {
  name: string;
  external: boolean;
  driver?: string;
  driver_opts: Record<string, string>;
  labels: Record<string, string>;
}

export interface FileObjectConfig { name: string; file?: string; environment?: string; content?: string; external: boolean }

export interface Project {
  name: string;
  workingDir: string;
  composeFiles: string[];
  /** Services enabled by the active profiles, by name. */
  services: Record<string, ServiceConfig>;
  /** Services left out by profiles (kept so `down --remove-orphans` does not count them as orphans). */
  disabledServices: Record<string, ServiceConfig>;
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  secrets: Record<string, FileObjectConfig>;
  configs: Record<string, FileObjectConfig>;
  environment: Record<string, string>;
}
