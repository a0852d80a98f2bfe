// Applies a container's sandbox to its OCI spec: seccomp, no_new_privs, shared or host namespaces,
// devices and device cgroup rules, extra groups, sysctls, the init process and recursive read-only
// binds. The inputs are already resolved (paths of namespaces to join, device numbers, gids), so this
// stays pure and unit-tested; devicesAt() does the host look-ups.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { release } from 'node:os';
import { invalidArgument } from '../errors.js';
import type { OciSpec } from './oci-spec.js';
import type { OciSeccomp } from './seccomp/translate.js';

export interface OciDevice { path: string; type: 'c' | 'b'; major: number; minor: number; fileMode: number; uid: number; gid: number }
export interface OciDeviceRule { allow: boolean; type?: 'a' | 'b' | 'c'; major?: number; minor?: number; access: string }

/** A namespace to share: the host's (no new namespace) or another container's (path of its ns file). */
export type NsShare = 'private' | 'host' | { path: string };

export interface SandboxSpecInput {
  /** Undefined: no filter (unconfined, or privileged). */
  seccomp?: OciSeccomp;
  noNewPrivileges: boolean;
  unmaskPaths: boolean;
  pid: NsShare;
  ipc: NsShare;
  /** IpcMode `none`: an IPC namespace but no /dev/shm. */
  noShm?: boolean;
  /** A host-side shm tmpfs bound at /dev/shm (`shareable`, or the donor's for `container:X`). */
  shmSource?: string;
  uts: 'private' | 'host';
  devices: OciDevice[];
  deviceRules: OciDeviceRule[];
  additionalGids: number[];
  sysctls: Record<string, string>;
  /** Host path of the init binary (tini), mounted at /sbin/docker-init and run as PID 1. */
  initPath?: string;
  oomScoreAdj?: number;
  /** Make `ro` binds recursively read-only (kernel >= 5.12: mount_setattr). */
  recursiveReadonly: boolean;
}

export const INIT_IN_CONTAINER = '/sbin/docker-init';

/** Linux dev_t split as glibc's major()/minor() do. */
export function splitDev(rdev: number): { major: number; minor: number } {
  const d = BigInt(rdev);
  const major = Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
  const minor = Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
  return { major, minor };
}

/** The device nodes at a host path (a node, or every node under a directory), as they will appear at `inContainer`. */
export function devicesAt(hostPath: string, inContainer: string): OciDevice[] {
  const st = statSync(hostPath);
  if (st.isDirectory()) {
    const out: OciDevice[] = [];
    for (const name of readdirSync(hostPath)) {
      const p = join(hostPath, name);
      let l;
      try { l = lstatSync(p); } catch { continue; }
      if (l.isSymbolicLink()) continue;
      if (l.isDirectory() || l.isCharacterDevice() || l.isBlockDevice()) out.push(...devicesAt(p, join(inContainer, name)));
    }
    return out;
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw invalidArgument(`error gathering device information while adding custom device "${hostPath}": not a device node`);
  const { major, minor } = splitDev(st.rdev);
  return [{ path: inContainer, type: st.isBlockDevice() ? 'b' : 'c', major, minor, fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid }];
}

/** Every device of the host's /dev that Docker gives a privileged container (not pts, not the tty's own nodes). */
export function hostDevices(): OciDevice[] {
  const skip = new Set(['/dev/pts', '/dev/shm', '/dev/mqueue', '/dev/console', '/dev/ptmx', '/dev/tty', '/dev/fd', '/dev/hugepages']);
  const out: OciDevice[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try { names = readdirSync(dir); } catch { return; }
    for (const name of names) {
      const p = join(dir, name);
      if (skip.has(p)) continue;
      let l;
      try { l = lstatSync(p); } catch { continue; }
      if (l.isDirectory()) walk(p);
      else if (l.isCharacterDevice() || l.isBlockDevice()) {
        const { major, minor } = splitDev(l.rdev);
        out.push({ path: p, type: l.isBlockDevice() ? 'b' : 'c', major, minor, fileMode: l.mode & 0o7777, uid: l.uid, gid: l.gid });
      }
    }
  };
  walk('/dev');
  return out;
}

export function kernelSupportsRecursiveReadonly(kernel = release()): boolean {
  const m = /^(\d+)\.(\d+)/.exec(kernel);
  return !!m && (Number(m[1]) > 5 || (Number(m[1]) === 5 && Number(m[2]) >= 12));
}

function setNamespace(namespaces: Array<{ type: string; path?: string }>, type: string, share: NsShare): Array<{ type: string; path?: string }> {
  const rest = namespaces.filter((n) => n.type !== type);
  if (share === 'host') return rest;
  return [...rest, share === 'private' ? { type } : { type, path: share.path }];
}

export function applySandbox(spec: OciSpec, s: SandboxSpecInput): OciSpec {
  const linux = { ...spec.linux } as Record<string, unknown>;
  const process = { ...spec.process } as Record<string, unknown>;
  let namespaces = (linux.namespaces as Array<{ type: string; path?: string }>) ?? [];
  namespaces = setNamespace(namespaces, 'pid', s.pid);
  namespaces = setNamespace(namespaces, 'ipc', s.ipc);
  if (s.uts === 'host') namespaces = namespaces.filter((n) => n.type !== 'uts');
  linux.namespaces = namespaces;
  let mounts = [...spec.mounts];
  if (s.ipc === 'host') {
    mounts = mounts.map((m) => (m.destination === '/dev/shm' && m.type === 'tmpfs' ? { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'nosuid', 'noexec', 'nodev'] } : m));
  }
  if (s.shmSource) {
    const source = s.shmSource;
    mounts = mounts.map((m) => (m.destination === '/dev/shm' && m.type === 'tmpfs' ? { destination: '/dev/shm', type: 'bind', source, options: ['rbind', 'nosuid', 'noexec', 'nodev'] } : m));
  }
  if (s.noShm) mounts = mounts.filter((m) => !(m.destination === '/dev/shm' && m.type === 'tmpfs'));
  // Joining the host's /proc view needs the host's pid namespace; a new proc mount shows it then.
  if (s.recursiveReadonly) {
    mounts = mounts.map((m) => (m.type === 'bind' && m.options?.includes('ro') && !m.options.includes('rro') ? { ...m, options: [...m.options, 'rro'] } : m));
  }
  if (s.initPath) mounts.push({ destination: INIT_IN_CONTAINER, type: 'bind', source: s.initPath, options: ['bind', 'ro', 'nosuid', 'nodev'] });

  if (s.seccomp) linux.seccomp = s.seccomp; else delete linux.seccomp;
  if (s.unmaskPaths) { delete linux.maskedPaths; delete linux.readonlyPaths; }
  if (s.devices.length) linux.devices = [...((linux.devices as OciDevice[]) ?? []), ...s.devices];
  if (s.deviceRules.length) {
    const resources = { ...(linux.resources as Record<string, unknown>) };
    resources.devices = [...((resources.devices as OciDeviceRule[]) ?? []), ...s.deviceRules];
    linux.resources = resources;
  }
  // runc 1.1 ignores the spec's `domainname`: the NIS domain name is set as dockerd sets it, through the
  // namespaced sysctl (only in a UTS namespace of the container's own; a --sysctl given wins).
  const domain = s.uts !== 'host' && spec.domainname ? { 'kernel.domainname': spec.domainname } : {};
  if (Object.keys(s.sysctls).length || spec.domainname) linux.sysctl = { ...((linux.sysctl as Record<string, string>) ?? {}), ...domain, ...s.sysctls };

  process.noNewPrivileges = s.noNewPrivileges;
  if (s.oomScoreAdj !== undefined) process.oomScoreAdj = s.oomScoreAdj;
  if (s.additionalGids.length) {
    const user = { ...(process.user as { uid: number; gid: number; additionalGids?: number[] }) };
    user.additionalGids = [...new Set([...(user.additionalGids ?? []), ...s.additionalGids])];
    process.user = user;
  }
  if (s.initPath) process.args = [INIT_IN_CONTAINER, '--', ...(process.args as string[])];

  const out: OciSpec = { ...spec, linux, process, mounts };
  // Without a UTS namespace of its own the container cannot be given a hostname (runc refuses).
  if (s.uts === 'host') { delete (out as Partial<OciSpec>).hostname; delete out.domainname; }
  return out;
}
