// Turns a Docker seccomp profile (the default one, or a user's from --security-opt seccomp=...) into the
// OCI `linux.seccomp` of one container, as moby's profiles/seccomp does: the native architecture and its
// sub-architectures, and only the rules whose includes/excludes match the container's capabilities,
// this architecture and this kernel. Pure, unit-tested.
import { release } from 'node:os';
import { invalidArgument } from '../../errors.js';
import type { SeccompFilter, SeccompProfile, SeccompRule } from './default-profile.js';

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: Array<{ names: string[]; action: string; errnoRet?: number; args?: Array<{ index: number; value: number; valueTwo: number; op: string }> }>;
}

/** Go's GOARCH names (used by `arches` filters) and libseccomp's native architecture, by Node's arch. */
const ARCHES: Record<string, { go: string; native: string }> = {
  x64: { go: 'amd64', native: 'SCMP_ARCH_X86_64' },
  arm64: { go: 'arm64', native: 'SCMP_ARCH_AARCH64' },
  arm: { go: 'arm', native: 'SCMP_ARCH_ARM' },
  ia32: { go: '386', native: 'SCMP_ARCH_X86' },
  s390x: { go: 's390x', native: 'SCMP_ARCH_S390X' },
  ppc64: { go: 'ppc64le', native: 'SCMP_ARCH_PPC64LE' },
  riscv64: { go: 'riscv64', native: 'SCMP_ARCH_RISCV64' },
};

export interface TranslateHost { arch: string; kernel: string }

export function currentHost(): TranslateHost {
  return { arch: process.arch, kernel: release() };
}

function kernelAtLeast(kernel: string, min: string): boolean {
  const parse = (v: string) => (/^(\d+)\.(\d+)/.exec(v) ?? ['', '0', '0']).slice(1).map(Number);
  const [a, b] = parse(kernel);
  const [x, y] = parse(min);
  return a > x || (a === x && b >= y);
}

function included(f: SeccompFilter | undefined, caps: Set<string>, goArch: string, kernel: string): boolean {
  if (!f) return true;
  if (f.arches?.length && !f.arches.includes(goArch)) return false;
  if (f.caps?.length && !f.caps.every((c) => caps.has(c))) return false;
  if (f.minKernel && !kernelAtLeast(kernel, f.minKernel)) return false;
  return true;
}

function excluded(f: SeccompFilter | undefined, caps: Set<string>, goArch: string): boolean {
  if (!f) return false;
  if (f.arches?.length && f.arches.includes(goArch)) return true;
  if (f.caps?.length && f.caps.some((c) => caps.has(c))) return true;
  return false;
}

export function translateProfile(profile: SeccompProfile, capabilities: string[], host: TranslateHost = currentHost()): OciSeccomp {
  const arch = ARCHES[host.arch] ?? { go: host.arch, native: '' };
  if (profile.architectures?.length && profile.archMap?.length) throw invalidArgument("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  let architectures = profile.architectures ?? [];
  for (const a of profile.archMap ?? []) {
    if (a.architecture === arch.native) architectures = [a.architecture, ...(a.subArchitectures ?? [])];
  }
  const caps = new Set(capabilities);
  const syscalls: OciSeccomp['syscalls'] = [];
  for (const rule of profile.syscalls ?? []) {
    if (!included(rule.includes, caps, arch.go, host.kernel) || excluded(rule.excludes, caps, arch.go)) continue;
    const names = namesOf(rule);
    const out: OciSeccomp['syscalls'][number] = { names, action: rule.action };
    if (rule.errnoRet !== undefined) out.errnoRet = rule.errnoRet;
    if (rule.args?.length) out.args = rule.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op }));
    syscalls.push(out);
  }
  return { defaultAction: profile.defaultAction, ...(profile.defaultErrnoRet !== undefined ? { defaultErrnoRet: profile.defaultErrnoRet } : {}), architectures, syscalls };
}

function namesOf(rule: SeccompRule & { name?: string }): string[] {
  if (rule.name && rule.names?.length) throw invalidArgument("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
  return rule.name ? [rule.name] : rule.names;
}

/** A user's profile (the JSON text the docker CLI sends in SecurityOpt), checked for the fields we rely on. */
export function parseProfile(text: string): SeccompProfile {
  let p: unknown;
  try { p = JSON.parse(text); } catch (err) { throw invalidArgument(`Decoding seccomp profile failed: ${(err as Error).message}`); }
  const obj = p as Partial<SeccompProfile> | null;
  if (!obj || typeof obj !== 'object' || typeof obj.defaultAction !== 'string') throw invalidArgument('Decoding seccomp profile failed: defaultAction is required');
  if (obj.syscalls !== undefined && !Array.isArray(obj.syscalls)) throw invalidArgument('Decoding seccomp profile failed: syscalls must be a list');
  for (const r of obj.syscalls ?? []) {
    const rule = r as SeccompRule & { name?: string };
    if (typeof rule.action !== 'string' || (!Array.isArray(rule.names) && typeof rule.name !== 'string')) throw invalidArgument('Decoding seccomp profile failed: each syscall rule needs names and an action');
  }
  return { ...obj, syscalls: obj.syscalls ?? [] } as SeccompProfile;
}
