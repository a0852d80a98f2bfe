// The offline `busybox:latest` image, built from the host's busybox-static: one layer with /bin/busybox,
// every applet as a hardlink in /bin, a minimal /etc and the usual top-level dirs. Every byte is fixed
// (mtimes, owners, order), so the same busybox binary gives the same image ID on every machine.
import { execFileSync } from 'node:child_process';
import { openSync, readSync, closeSync, readFileSync, existsSync, statSync } from 'node:fs';
import tar from 'tar-stream';
import { sha256Digest } from '../storage/digest.js';
import type { ImageConfigJson } from '../model/image.js';

export const BUSYBOX_PATH = '/bin/busybox';
const SEED_TIME = new Date('2024-01-01T00:00:00Z');
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** True when `path` is an ELF executable without a program interpreter (statically linked). */
export function isStaticElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const hdr = Buffer.alloc(64);
    if (readSync(fd, hdr, 0, 64, 0) < 64 || hdr.readUInt32BE(0) !== 0x7f454c46 || hdr[4] !== 2) return false;
    const phoff = Number(hdr.readBigUInt64LE(0x20));
    const phentsize = hdr.readUInt16LE(0x36);
    const phnum = hdr.readUInt16LE(0x38);
    const ph = Buffer.alloc(phentsize);
    for (let i = 0; i < phnum && i < 256; i++) {
      readSync(fd, ph, 0, phentsize, phoff + i * phentsize);
      if (ph.readUInt32LE(0) === 3) return false; // PT_INTERP
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

function busyboxVersion(): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'busybox-static'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Whether the host can seed: a static /bin/busybox. */
export function canSeedBusybox(): boolean {
  try { return existsSync(BUSYBOX_PATH) && statSync(BUSYBOX_PATH).isFile() && isStaticElf(BUSYBOX_PATH); } catch { return false; }
}

function applets(): string[] {
  const out = execFileSync(BUSYBOX_PATH, ['--list'], { encoding: 'utf8' });
  return [...new Set(out.split('\n').map((s) => s.trim()).filter((s) => /^[A-Za-z0-9_.[\]-]+$/.test(s) && s !== 'busybox'))].sort();
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnobody:x:65534:\n';

/** Builds the layer tar in memory (about 2 MB). */
export async function buildBusyboxLayer(): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => { chunks.push(c as Buffer); });
  const done = new Promise<void>((resolve, reject) => { pack.on('end', resolve); pack.on('error', reject); });
  const base = { uid: 0, gid: 0, mtime: SEED_TIME };
  const dir = (name: string, mode = 0o755) => pack.entry({ ...base, name: `${name}/`, type: 'directory', mode });
  const file = (name: string, data: Buffer, mode = 0o644) => pack.entry({ ...base, name, type: 'file', mode, size: data.length }, data);

  for (const d of ['bin', 'dev', 'etc', 'home', 'proc', 'root', 'sys', 'usr', 'var']) dir(d, d === 'root' ? 0o700 : 0o755);
  dir('tmp', 0o1777);
  dir('usr/bin'); dir('usr/sbin'); dir('var/spool'); dir('var/www');
  file('bin/busybox', readFileSync(BUSYBOX_PATH), 0o755);
  for (const name of applets()) pack.entry({ ...base, name: `bin/${name}`, type: 'link', linkname: 'bin/busybox', mode: 0o755 });
  file('etc/passwd', Buffer.from(PASSWD));
  file('etc/group', Buffer.from(GROUP));
  file('etc/shadow', Buffer.from('root:*:10933:0:99999:7:::\nnobody:*:10933:0:99999:7:::\n'), 0o640);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[process.arch] ?? process.arch;
}

/** The image config for the seed layer; JSON key order is fixed, so the bytes (and ID) are stable. */
export function busyboxConfig(layerTar: Buffer): Buffer {
  const created = SEED_TIME.toISOString().replace('.000Z', 'Z');
  const config: ImageConfigJson = {
    architecture: goArch(),
    config: { Env: [DEFAULT_PATH_ENV], Cmd: ['sh'] },
    created,
    history: [
      { created, created_by: `/bin/sh -c #(nop) ADD file:busybox-static-${busyboxVersion()} in / ` },
      { created, created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
    ],
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [sha256Digest(layerTar)] },
  };
  return Buffer.from(JSON.stringify(config));
}
