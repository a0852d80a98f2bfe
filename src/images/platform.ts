// Docker's platform strings (`linux`, `linux/arm64`, `linux/arm/v7`): parsed and normalised as containerd's
// platforms package does, so `import --platform` and `create --platform` accept and refuse what dockerd does.
import { invalidArgument, notFound } from '../errors.js';
import type { ImageRecord } from '../model/image.js';
import { goArch } from './busybox-seed.js';

export interface Platform { os: string; architecture: string; variant?: string }

const KNOWN_OS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos']);
const KNOWN_ARCH = new Set(['386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'ppc64', 'ppc64le', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm']);

function normalizeArch(arch: string, variant: string | undefined): { architecture: string; variant?: string } {
  switch (arch) {
    case 'i386': return { architecture: '386' };
    case 'x86_64': case 'x86-64': return { architecture: 'amd64', ...(variant ? { variant } : {}) };
    case 'aarch64': return { architecture: 'arm64', ...(variant && variant !== '8' && variant !== 'v8' ? { variant } : {}) };
    case 'armhf': return { architecture: 'arm', variant: 'v7' };
    case 'armel': return { architecture: 'arm', variant: 'v6' };
    case 'arm64': return { architecture: 'arm64', ...(variant && variant !== '8' && variant !== 'v8' ? { variant } : {}) };
    case 'arm': return { architecture: 'arm', variant: !variant || variant === '7' ? 'v7' : /^\d$/.test(variant) ? `v${variant}` : variant };
    default: return { architecture: arch, ...(variant ? { variant } : {}) };
  }
}

/** Parses a platform; an empty string is the daemon's own. Unknown names are Docker's 400. */
export function parsePlatform(spec: string): Platform {
  if (!spec) return { os: 'linux', architecture: goArch() };
  const parts = spec.toLowerCase().split('/');
  const bad = () => invalidArgument(`${JSON.stringify(spec)}: unknown operating system or architecture: invalid argument`);
  if (parts.length > 3 || parts.some((p) => !/^[a-z0-9_-]+$/.test(p))) throw invalidArgument(`${JSON.stringify(spec)}: invalid platform specifier: invalid argument`);
  if (parts.length === 1) {
    // A single word is an OS, or an architecture of the daemon's OS.
    if (KNOWN_OS.has(parts[0])) return { os: parts[0], architecture: goArch() };
    const a = normalizeArch(parts[0], undefined);
    if (KNOWN_ARCH.has(a.architecture)) return { os: 'linux', ...a };
    throw bad();
  }
  const os = parts[0] === 'macos' ? 'darwin' : parts[0];
  const a = normalizeArch(parts[1], parts[2]);
  if (!KNOWN_OS.has(os) || !KNOWN_ARCH.has(a.architecture)) throw bad();
  return { os, ...a };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Only Linux images run here: Docker's answer to another OS. */
export function requireLinux(p: Platform): void {
  if (p.os !== 'linux') throw invalidArgument('operating system is not supported');
}

/** `create --platform`: the local image must be of the requested platform (Docker's 404 otherwise). */
export function checkImagePlatform(image: ImageRecord, ref: string, spec: string): void {
  const want = parsePlatform(spec);
  const c = image.config as { os?: string; architecture?: string; variant?: string };
  const have = { os: c.os || 'linux', ...normalizeArch(c.architecture || goArch(), c.variant) };
  const variantOk = !want.variant || !have.variant || want.variant === have.variant;
  if (want.os !== have.os || want.architecture !== have.architecture || !variantOk) {
    throw notFound(`image with reference ${ref} was found but does not match the specified platform: wanted ${formatPlatform(want)}, actual: ${formatPlatform(have)}`);
  }
}
