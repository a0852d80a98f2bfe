// Resolves a container's sandbox options against the host and its peers at start: the namespace files of
// the containers it shares with, its devices' numbers, the gids of --group-add names (from the image's
// /etc/group), the default seccomp profile for its capabilities, and the init binary.
import { existsSync } from 'node:fs';
import { conflict, invalidArgument, notFound } from '../../errors.js';
import { parseGroup } from '../../runtime/user.js';
import { translateProfile } from '../../runtime/seccomp/translate.js';
import {
  devicesAt, hostDevices, kernelSupportsRecursiveReadonly, type NsShare, type OciDeviceRule, type SandboxSpecInput,
} from '../../runtime/sandbox-spec.js';
import type { SandboxOptions, NamespaceMode, IpcMode } from './sandbox-config.js';

/** What the resolver needs to know of another container (`--pid/--ipc container:X`). */
export interface PeerInfo {
  id: string; pid: number; running: boolean; ipcMode?: string;
  /** Its host-side /dev/shm (a `shareable` container's), mounted while it runs. */
  shmPath?: string;
}

export interface ResolveContext {
  capabilities: string[];
  privileged: boolean;
  peer: (ref: string) => PeerInfo | undefined;
  /** The image's /etc/group (read by the caller off the event loop), for --group-add names. */
  groupText?: string;
  /** Docker's docker-init: tini from Debian (scripts/setup.mjs installs it). */
  initPaths?: string[];
  /** This container's own host-side shm (IpcMode `shareable`), mounted by the caller. */
  ownShm?: string;
}

export const INIT_CANDIDATES = ['/usr/bin/tini-static', '/usr/bin/tini', '/usr/bin/catatonit', '/usr/libexec/podman/catatonit'];

function peerNamespace(kind: 'pid' | 'ipc', ref: string, ctx: ResolveContext): NsShare {
  const p = ctx.peer(ref);
  if (!p) throw notFound(`No such container: ${ref}`);
  if (kind === 'ipc') {
    // dockerd's wording for IPC; PID keeps its own.
    if (!p.running || !p.pid) throw conflict(`can't join IPC of container ${p.id}: container ${p.id} is not running`);
    if (p.ipcMode && !['shareable', 'host'].includes(p.ipcMode)) {
      throw conflict(`can't join IPC of container ${p.id}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
    }
  } else if (!p.running || !p.pid) throw conflict(`cannot join ${kind.toUpperCase()} of a non running container: ${p.id}`);
  return { path: `/proc/${p.pid}/ns/${kind}` };
}

/** Where /dev/shm comes from: the donor's host-side tmpfs, the host's, our own shareable one, or a fresh tmpfs. */
function shmSource(m: IpcMode, ctx: ResolveContext): string | undefined {
  if (m.mode === 'shareable') return ctx.ownShm;
  if (m.mode !== 'container') return undefined;
  const p = ctx.peer(m.container);
  // A donor in the host's IPC namespace shares the host's /dev/shm (applySandbox binds it for `host`).
  if (p?.ipcMode === 'host') return '/dev/shm';
  if (!p?.shmPath) throw conflict(`can't join IPC of container ${p?.id ?? m.container}: its /dev/shm is not mounted`);
  return p.shmPath;
}

function nsShare(kind: 'pid', m: NamespaceMode, ctx: ResolveContext): NsShare {
  return m.mode === 'container' ? peerNamespace(kind, m.container, ctx) : m.mode;
}

function ipcShare(m: IpcMode, ctx: ResolveContext): NsShare {
  if (m.mode === 'container') return peerNamespace('ipc', m.container, ctx);
  return m.mode === 'host' ? 'host' : 'private';
}

function groupIds(names: string[], ctx: ResolveContext): number[] {
  if (!names.length) return [];
  const groups = parseGroup(ctx.groupText ?? '');
  return names.map((n) => {
    if (/^\d+$/.test(n)) return Number(n);
    const g = groups.find((x) => x.name === n);
    if (!g) throw invalidArgument(`Unable to find group ${n}: no matching entries in group file`);
    return g.gid;
  });
}

/** Whether --group-add names groups (so the image's /etc/group must be read). */
export function needsGroupFile(o: Pick<SandboxOptions, 'groupAdd'>): boolean {
  return o.groupAdd.some((g) => !/^\d+$/.test(g));
}

export function findInit(paths = INIT_CANDIDATES): string | undefined {
  return paths.find((p) => existsSync(p));
}

export function resolveSandbox(o: SandboxOptions, ctx: ResolveContext): SandboxSpecInput {
  const devices = ctx.privileged ? hostDevices() : [];
  const deviceRules: OciDeviceRule[] = [];
  for (const d of o.devices) {
    for (const dev of devicesAt(d.pathOnHost, d.pathInContainer)) {
      if (!devices.some((x) => x.path === dev.path)) devices.push(dev);
      deviceRules.push({ allow: true, type: dev.type, major: dev.major, minor: dev.minor, access: d.permissions });
    }
  }
  for (const r of o.deviceRules) {
    deviceRules.push({ allow: true, type: r.type, ...(r.major >= 0 ? { major: r.major } : {}), ...(r.minor >= 0 ? { minor: r.minor } : {}), access: r.access });
  }
  let initPath: string | undefined;
  if (o.init) {
    initPath = findInit(ctx.initPaths);
    if (!initPath) throw invalidArgument('--init: no init binary on this host (install Debian\'s tini)');
  }
  return {
    seccomp: o.seccomp === 'unconfined' ? undefined : translateProfile(o.seccomp, ctx.capabilities),
    noNewPrivileges: o.noNewPrivileges,
    unmaskPaths: o.unmaskPaths,
    pid: nsShare('pid', o.pid, ctx),
    ipc: ipcShare(o.ipc, ctx),
    noShm: o.ipc.mode === 'none',
    shmSource: shmSource(o.ipc, ctx),
    uts: o.uts,
    devices,
    deviceRules,
    additionalGids: groupIds(o.groupAdd, ctx),
    sysctls: o.sysctls,
    initPath,
    ...(o.oomScoreAdj !== undefined ? { oomScoreAdj: o.oomScoreAdj } : {}),
    recursiveReadonly: kernelSupportsRecursiveReadonly(),
  };
}
