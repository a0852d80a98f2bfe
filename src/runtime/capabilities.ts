// Linux capabilities as Docker grants them: the 14 defaults, plus --cap-add/--cap-drop (with "ALL").
import { readFileSync } from 'node:fs';
import { invalidArgument } from '../errors.js';

export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Every capability the kernel (6.x) knows, in number order; what `--privileged` and `--cap-add ALL` grant. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

function normalize(cap: string): string {
  const upper = cap.trim().toUpperCase();
  if (upper === 'ALL') return upper;
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!ALL_CAPABILITIES.includes(full)) throw invalidArgument(`invalid CapAdd: unknown capability: "${full}"`);
  return full;
}

/** Capabilities in a CapBnd mask (hex, from /proc/<pid>/status). */
export function capabilitiesInMask(hex: string): string[] {
  const mask = BigInt('0x' + hex);
  return ALL_CAPABILITIES.filter((_c, bit) => (mask >> BigInt(bit)) & 1n);
}

let hostCaps: string[] | undefined;
/** What berthd itself may grant (its bounding set): the host here lacks e.g. CAP_SYS_RESOURCE. */
export function hostCapabilities(): string[] {
  if (!hostCaps) {
    const m = /^CapBnd:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    hostCaps = m ? capabilitiesInMask(m[1]) : [...ALL_CAPABILITIES];
  }
  return hostCaps;
}

/**
 * The capability set for a container: Docker's defaults adjusted by add/drop, or everything when
 * privileged; never more than the daemon holds (asking runc for more fails every start).
 */
export function effectiveCapabilities(opts: { privileged?: boolean; capAdd?: string[] | null; capDrop?: string[] | null }, available = hostCapabilities()): string[] {
  return requestedCapabilities(opts).filter((c) => available.includes(c));
}

function requestedCapabilities(opts: { privileged?: boolean; capAdd?: string[] | null; capDrop?: string[] | null }): string[] {
  if (opts.privileged) return [...ALL_CAPABILITIES];
  const add = (opts.capAdd ?? []).map(normalize);
  const drop = (opts.capDrop ?? []).map(normalize);
  let caps = drop.includes('ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
  if (add.includes('ALL')) caps = ALL_CAPABILITIES.filter((c) => !drop.includes(c) || add.includes(c));
  for (const c of add) if (c !== 'ALL' && !caps.includes(c)) caps.push(c);
  return caps;
}
