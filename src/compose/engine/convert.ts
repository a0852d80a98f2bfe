// A service (one replica) to the Engine API's container create body, as docker compose builds it:
// compose labels, the first network as NetworkMode with every network in EndpointsConfig (aliases: the
// service name plus the declared ones), volumes as Mounts, published ports as PortBindings.
import type { ContainerCreateBody, HostConfigBody } from '../../client/types.js';
import { unsupported } from '../errors.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { COMPOSE_VERSION, defaultImageName, LABEL, serviceHash } from './labels.js';

export interface ComposeCreateBody extends ContainerCreateBody {
  ExposedPorts?: Record<string, object>;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number; StartInterval?: number };
  HostConfig: HostConfigBody & {
    PortBindings?: Record<string, Array<{ HostIp: string; HostPort: string }>>;
    Sysctls?: Record<string, string>;
    LogConfig?: { Type: string; Config: Record<string, string> };
    DnsSearch?: string[];
  };
}

export interface ReplicaInfo { number: number; oneoff?: boolean; name: string }

function portKey(target: number, protocol: string): string {
  return `${target}/${protocol}`;
}

function ports(svc: ServiceConfig): { exposed: Record<string, object>; bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> } {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const e of svc.expose) {
    const [p, proto = 'tcp'] = e.split('/');
    exposed[portKey(Number(p), proto)] = {};
  }
  for (const p of svc.ports) {
    const key = portKey(p.target, p.protocol);
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.host_ip ?? '', HostPort: p.published ?? '' });
  }
  return { exposed, bindings };
}

function mounts(project: Project, svc: ServiceConfig): { mounts: unknown[]; binds: string[] } {
  const out: unknown[] = [];
  const binds: string[] = [];
  for (const v of svc.volumes) {
    if (v.type === 'volume') {
      const source = v.source ? project.volumes[v.source].name : undefined;
      out.push({ Type: 'volume', Source: source, Target: v.target, ReadOnly: v.read_only, ...(v.volume?.nocopy ? { VolumeOptions: { NoCopy: true } } : {}) });
    } else if (v.type === 'bind') {
      // Binds (not Mounts) for paths compose may create, as docker compose does: the daemon makes them.
      if (v.bind?.create_host_path !== false && !v.bind?.propagation) binds.push(`${v.source}:${v.target}${v.read_only ? ':ro' : ''}`);
      else out.push({ Type: 'bind', Source: v.source, Target: v.target, ReadOnly: v.read_only, ...(v.bind?.propagation ? { BindOptions: { Propagation: v.bind.propagation } } : {}) });
    } else {
      out.push({ Type: 'tmpfs', Target: v.target, ReadOnly: v.read_only, TmpfsOptions: { ...(v.tmpfs?.size ? { SizeBytes: v.tmpfs.size } : {}), ...(v.tmpfs?.mode ? { Mode: v.tmpfs.mode } : {}) } });
    }
  }
  // Secrets and configs from files, bind-mounted read-only as docker compose does without swarm.
  for (const [kind, refs] of [['secrets', svc.secrets], ['configs', svc.configs]] as const) {
    for (const r of refs) {
      const obj = (kind === 'secrets' ? project.secrets : project.configs)[r.source];
      if (!obj.file) throw unsupported(`${kind}.${r.source}: only file-based ${kind} are supported by berth compose`);
      if (r.uid || r.gid || r.mode !== undefined) throw unsupported(`services.${svc.name}.${kind}: uid, gid and mode need swarm, which berth compose does not support`);
      out.push({ Type: 'bind', Source: obj.file, Target: r.target, ReadOnly: true });
    }
  }
  return { mounts: out, binds };
}

function tmpfs(svc: ServiceConfig): Record<string, string> | undefined {
  if (!svc.tmpfs.length) return undefined;
  return Object.fromEntries(svc.tmpfs.map((t) => { const i = t.indexOf(':'); return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)]; }));
}

function networking(project: Project, svc: ServiceConfig): { mode: string; endpoints?: Record<string, unknown> } {
  if (svc.network_mode) {
    const m = svc.network_mode;
    if (m.startsWith('service:')) throw unsupported(`services.${svc.name}.network_mode "${m}" is resolved by up`);
    return { mode: m };
  }
  const keys = Object.keys(svc.networks).sort((a, b) => (svc.networks[b].priority ?? 0) - (svc.networks[a].priority ?? 0));
  const endpoints: Record<string, unknown> = {};
  for (const k of keys) {
    const n = svc.networks[k];
    endpoints[project.networks[k].name] = {
      Aliases: [svc.name, ...(n.aliases ?? [])],
      ...(n.ipv4_address ? { IPAMConfig: { IPv4Address: n.ipv4_address } } : {}),
    };
  }
  return { mode: keys.length ? project.networks[keys[0]].name : 'none', endpoints };
}

export function createBody(project: Project, svc: ServiceConfig, replica: ReplicaInfo, image: string, extraLabels: Record<string, string> = {}): ComposeCreateBody {
  const { exposed, bindings } = ports(svc);
  const { mounts: mountList, binds } = mounts(project, svc);
  const net = networking(project, svc);
  const h = svc.healthcheck;
  const labels: Record<string, string> = {
    ...svc.labels,
    [LABEL.project]: project.name,
    [LABEL.service]: svc.name,
    [LABEL.number]: String(replica.number),
    [LABEL.oneoff]: replica.oneoff ? 'True' : 'False',
    [LABEL.configHash]: serviceHash(svc),
    [LABEL.version]: COMPOSE_VERSION,
    [LABEL.workingDir]: project.workingDir,
    [LABEL.configFiles]: project.composeFiles.join(','),
    [LABEL.image]: defaultImageName(project.name, svc),
    [LABEL.dependsOn]: Object.entries(svc.depends_on).map(([k, d]) => `${k}:${d.condition}:${d.restart}`).join(','),
    ...extraLabels,
  };
  const restart = svc.restart && svc.restart !== 'no' ? parseRestart(svc.restart) : undefined;
  return {
    Image: image,
    Hostname: svc.hostname,
    Domainname: svc.domainname,
    User: svc.user,
    Tty: svc.tty,
    OpenStdin: svc.stdin_open,
    AttachStdin: false, AttachStdout: true, AttachStderr: true,
    Env: Object.entries(svc.environment).map(([k, v]) => `${k}=${v}`),
    Cmd: svc.command === undefined ? undefined : svc.command,
    Entrypoint: svc.entrypoint === undefined ? undefined : svc.entrypoint,
    WorkingDir: svc.working_dir,
    Labels: labels,
    StopSignal: svc.stop_signal,
    StopTimeout: svc.stop_grace_period,
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    Healthcheck: h ? { Test: h.test, Interval: h.interval, Timeout: h.timeout, Retries: h.retries, StartPeriod: h.start_period, StartInterval: h.start_interval } : undefined,
    HostConfig: {
      NetworkMode: net.mode,
      PortBindings: Object.keys(bindings).length ? bindings : undefined,
      Mounts: mountList.length ? mountList : undefined,
      Binds: binds.length ? binds : undefined,
      Tmpfs: tmpfs(svc),
      RestartPolicy: restart,
      CapAdd: svc.cap_add.length ? svc.cap_add : undefined,
      CapDrop: svc.cap_drop.length ? svc.cap_drop : undefined,
      Privileged: svc.privileged,
      Init: svc.init,
      ReadonlyRootfs: svc.read_only,
      Ulimits: Object.keys(svc.ulimits).length ? Object.entries(svc.ulimits).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard })) : undefined,
      ExtraHosts: svc.extra_hosts.length ? svc.extra_hosts : undefined,
      Dns: svc.dns.length ? svc.dns : undefined,
      DnsSearch: svc.dns_search.length ? svc.dns_search : undefined,
      Sysctls: Object.keys(svc.sysctls).length ? svc.sysctls : undefined,
      LogConfig: svc.logging?.driver ? { Type: svc.logging.driver, Config: svc.logging.options } : undefined,
      Memory: svc.limits.memory,
      NanoCpus: svc.limits.cpus ? Math.round(svc.limits.cpus * 1e9) : undefined,
      PidsLimit: svc.limits.pids,
      ShmSize: svc.shm_size,
    },
    NetworkingConfig: net.endpoints ? { EndpointsConfig: net.endpoints } : undefined,
  };
}

function parseRestart(policy: string): { Name: string; MaximumRetryCount?: number } {
  const [name, count] = policy.split(':');
  return count ? { Name: name, MaximumRetryCount: Number(count) } : { Name: name };
}
