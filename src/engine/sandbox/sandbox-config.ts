// The sandbox fields of a HostConfig (SecurityOpt, namespaces modes, devices, group-add, sysctls, init,
// oom score), checked at create with Docker's wording and turned into typed options. Anything Berth
// cannot apply here is refused with a 400, never stored and ignored.
import { statSync } from 'node:fs';
import { invalidArgument } from '../../errors.js';
import { DEFAULT_SECCOMP_PROFILE, type SeccompProfile } from '../../runtime/seccomp/default-profile.js';
import { parseProfile } from '../../runtime/seccomp/translate.js';
import { hostCapabilities } from '../../runtime/capabilities.js';

export type NamespaceMode = { mode: 'private' | 'host' } | { mode: 'container'; container: string };
export type IpcMode = { mode: 'private' | 'shareable' | 'host' | 'none' } | { mode: 'container'; container: string };

export interface DeviceMapping { pathOnHost: string; pathInContainer: string; permissions: string }
export interface DeviceRule { type: 'a' | 'b' | 'c'; major: number; minor: number; access: string }

export interface SandboxOptions {
  seccomp: 'unconfined' | SeccompProfile;
  noNewPrivileges: boolean;
  /** systempaths=unconfined: no masked or read-only /proc and /sys paths. */
  unmaskPaths: boolean;
  pid: NamespaceMode;
  ipc: IpcMode;
  uts: 'private' | 'host';
  devices: DeviceMapping[];
  deviceRules: DeviceRule[];
  groupAdd: string[];
  sysctls: Record<string, string>;
  init: boolean;
  /** Applied only when the daemon may (negative values need CAP_SYS_RESOURCE). */
  oomScoreAdj?: number;
}

/** What create reads from the request (fields of Docker's HostConfig). */
export interface SandboxFields {
  Privileged?: boolean;
  SecurityOpt?: string[] | null;
  PidMode?: string;
  IpcMode?: string;
  UTSMode?: string;
  NetworkMode?: string;
  Devices?: Array<{ PathOnHost?: string; PathInContainer?: string; CgroupPermissions?: string }> | null;
  DeviceCgroupRules?: string[] | null;
  GroupAdd?: string[] | null;
  Sysctls?: Record<string, string> | null;
  Init?: boolean | null;
  OomScoreAdj?: number;
  /** Empty lists: `--security-opt systempaths=unconfined` as the docker CLI sends it. */
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
}

const IPC_SYSCTLS = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'];
const UTS_SYSCTLS = ['kernel.domainname', 'kernel.hostname'];

function hostHasAppArmor(): boolean {
  try { return statSync('/sys/kernel/security/apparmor').isDirectory(); } catch { return false; }
}

function parseBool(v: string, opt: string): boolean {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidArgument(`invalid --security-opt 2: "${opt}"`);
}

function securityOpts(list: string[], privileged: boolean): Pick<SandboxOptions, 'seccomp' | 'noNewPrivileges' | 'unmaskPaths'> {
  let seccomp: SandboxOptions['seccomp'] = privileged ? 'unconfined' : DEFAULT_SECCOMP_PROFILE;
  let noNewPrivileges = false;
  let unmaskPaths = privileged;
  for (const opt of list) {
    if (opt === 'no-new-privileges') { noNewPrivileges = true; continue; }
    // Docker still accepts the old `key:value` form for these.
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : '';
    if (!sep) throw invalidArgument(`invalid --security-opt 1: "${opt}"`);
    const key = opt.slice(0, opt.indexOf(sep));
    const value = opt.slice(opt.indexOf(sep) + 1);
    switch (key) {
      case 'no-new-privileges': noNewPrivileges = parseBool(value, opt); break;
      case 'seccomp':
        if (value === 'unconfined') seccomp = 'unconfined';
        else if (value === 'builtin') { if (!privileged) seccomp = DEFAULT_SECCOMP_PROFILE; }
        else seccomp = parseProfile(value);
        break;
      case 'apparmor':
        if (value !== 'unconfined' && !hostHasAppArmor()) throw invalidArgument(`AppArmor is not enabled on this host: cannot apply profile "${value}" (only apparmor=unconfined is accepted)`);
        if (value !== 'unconfined') throw invalidArgument(`AppArmor profiles are not supported by Berth yet: "${value}"`);
        break;
      case 'label':
        if (value !== 'disable') throw invalidArgument(`SELinux is not enabled on this host: cannot apply --security-opt ${opt} (only label=disable is accepted)`);
        break;
      case 'systempaths':
        if (value !== 'unconfined') throw invalidArgument(`invalid --security-opt 2: "${opt}"`);
        unmaskPaths = true;
        break;
      default: throw invalidArgument(`invalid --security-opt 2: "${opt}"`);
    }
  }
  return { seccomp, noNewPrivileges, unmaskPaths };
}

function namespaceMode(kind: 'PID' | 'UTS', v: string | undefined, allowContainer: boolean): NamespaceMode {
  if (!v || v === 'private') return { mode: 'private' };
  if (v === 'host') return { mode: 'host' };
  if (allowContainer && v.startsWith('container:') && v.length > 10) return { mode: 'container', container: v.slice(10) };
  throw invalidArgument(`Invalid ${kind} mode: ${v}`);
}

function ipcMode(v: string | undefined): IpcMode {
  if (!v || v === 'private') return { mode: 'private' };
  if (v === 'shareable' || v === 'host' || v === 'none') return { mode: v };
  if (v.startsWith('container:') && v.length > 10) return { mode: 'container', container: v.slice(10) };
  throw invalidArgument(`Invalid IPC mode: ${v}`);
}

function devices(list: SandboxFields['Devices']): DeviceMapping[] {
  return (list ?? []).map((d) => {
    const host = d.PathOnHost ?? '';
    if (!host.startsWith('/')) throw invalidArgument(`invalid device path on host: "${host}"`);
    const perms = d.CgroupPermissions || 'rwm';
    if (!/^[rwm]{1,3}$/.test(perms) || new Set(perms).size !== perms.length) throw invalidArgument(`invalid device mode: ${perms}`);
    try { statSync(host); } catch (err) {
      throw invalidArgument(`error gathering device information while adding custom device "${host}": ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
    }
    return { pathOnHost: host, pathInContainer: d.PathInContainer || host, permissions: perms };
  });
}

/** `c 1:3 rwm`, `a *:* rwm`, `b 8:* r` (Docker's --device-cgroup-rule). */
export function parseDeviceRule(rule: string): DeviceRule {
  const m = /^([abc]) (\d+|\*):(\d+|\*) ([rwm]{1,3})$/.exec(rule.trim());
  if (!m) throw invalidArgument(`invalid device cgroup format '${rule}'`);
  const num = (s: string) => (s === '*' ? -1 : Number(s));
  return { type: m[1] as DeviceRule['type'], major: num(m[2]), minor: num(m[3]), access: m[4] };
}

function sysctls(map: Record<string, string>, f: SandboxFields, ipc: IpcMode, uts: SandboxOptions['uts']): Record<string, string> {
  for (const key of Object.keys(map)) {
    if (IPC_SYSCTLS.includes(key) || key.startsWith('fs.mqueue.')) {
      if (ipc.mode === 'host') throw invalidArgument(`sysctl '${key}' is not allowed in the host IPC namespace`);
    } else if (key.startsWith('net.')) {
      if (f.NetworkMode === 'host') throw invalidArgument(`sysctl '${key}' is not allowed in the host network namespace`);
    } else if (UTS_SYSCTLS.includes(key)) {
      if (uts === 'host') throw invalidArgument(`sysctl '${key}' is not allowed in the host UTS namespace`);
    } else {
      throw invalidArgument(`sysctl '${key}' is not allowed: it is not in a namespace of the container`);
    }
  }
  return map;
}

/** Checks and types the sandbox fields; `warnings` are Docker's create warnings. */
export function sandboxOptions(f: SandboxFields, warnings: string[] = []): SandboxOptions {
  const privileged = !!f.Privileged;
  const ipc = ipcMode(f.IpcMode);
  const utsNs = namespaceMode('UTS', f.UTSMode, false);
  const uts = utsNs.mode === 'host' ? 'host' : 'private';
  let oomScoreAdj: number | undefined;
  if (f.OomScoreAdj) {
    if (f.OomScoreAdj < -1000 || f.OomScoreAdj > 1000) throw invalidArgument(`Invalid value ${f.OomScoreAdj}, range for oom score adj is [-1000, 1000]`);
    if (f.OomScoreAdj < 0 && !hostCapabilities().includes('CAP_SYS_RESOURCE')) {
      warnings.push(`OOM score adjustment ${f.OomScoreAdj} not applied: lowering it needs CAP_SYS_RESOURCE, which this daemon does not have`);
    } else oomScoreAdj = f.OomScoreAdj;
  }
  const security = securityOpts(f.SecurityOpt ?? [], privileged);
  if (Array.isArray(f.MaskedPaths) && f.MaskedPaths.length === 0 && Array.isArray(f.ReadonlyPaths) && f.ReadonlyPaths.length === 0) security.unmaskPaths = true;
  return {
    ...security,
    pid: namespaceMode('PID', f.PidMode, true),
    ipc,
    uts,
    devices: devices(f.Devices),
    deviceRules: (f.DeviceCgroupRules ?? []).map(parseDeviceRule),
    groupAdd: (f.GroupAdd ?? []).map(String),
    sysctls: sysctls(f.Sysctls ?? {}, f, ipc, uts),
    init: !!f.Init,
    ...(oomScoreAdj !== undefined ? { oomScoreAdj } : {}),
  };
}
