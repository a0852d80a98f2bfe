// The same busybox image in both engines. Preferred: berthd's own busybox:latest (seeded from the host's
// busybox-static), saved from berthd and loaded into dockerd — byte-identical layers. Fallback, while
// berthd cannot save yet: a root filesystem tar made here from /bin/busybox and its applet links,
// imported into dockerd, and into berthd too when it has no busybox:latest of its own.
import { spawnSync } from 'node:child_process';
import { mkdirSync, copyFileSync, symlinkSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchEngine } from '../engines/engine.js';
import { failureReason } from './proc.js';

export const IMAGE = 'busybox:latest';

export function makeRootfsTar(dir: string): string {
  const out = join(dir, 'busybox-rootfs.tar');
  if (existsSync(out)) return out;
  const root = join(dir, 'busybox-rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
  const list = spawnSync('/bin/busybox', ['--list'], { encoding: 'utf8', timeout: 10_000 });
  for (const applet of (list.stdout ?? '').split('\n').filter((a) => a && a !== 'busybox')) {
    try { symlinkSync('busybox', join(root, 'bin', applet)); } catch { /* duplicate */ }
  }
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  const tar = spawnSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', out, '.'], { timeout: 60_000 });
  if (tar.status !== 0) throw new Error(`tar of busybox rootfs failed: ${tar.stderr}`);
  return out;
}

async function hasImage(engine: BenchEngine): Promise<boolean> {
  if (engine.failure) return false;
  const r = await engine.api('GET', `/images/${IMAGE}/json`, undefined, 10_000).catch(() => undefined);
  return r?.status === 200;
}

/** Puts busybox:latest into both engines; returns where the image came from, for the report. */
export async function loadBusybox(docker: BenchEngine, berth: BenchEngine, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  if (!docker.failure && await hasImage(berth)) {
    const saved = join(dir, 'busybox-from-berth.tar');
    const save = await berth.docker(['save', '-o', saved, IMAGE], { timeoutMs: 60_000 });
    if (save.code === 0) {
      const load = await docker.docker(['load', '-i', saved], { timeoutMs: 60_000 });
      if (load.code === 0) return "berthd's busybox:latest (from the host's busybox-static), saved from berthd and loaded into dockerd";
    }
  }
  const tar = makeRootfsTar(dir);
  const notes: string[] = [];
  for (const engine of [docker, berth]) {
    if (engine.failure) continue;
    if (engine === berth && await hasImage(berth)) { notes.push('berthd: its own seeded busybox:latest'); continue; }
    const r = await engine.docker(['import', '-c', 'CMD ["sh"]', tar, IMAGE], { timeoutMs: 60_000 });
    notes.push(r.code === 0 ? `${engine.name}d: imported` : `${engine.name}d: import failed (${failureReason(r)})`);
  }
  return `rootfs tar of the host's /bin/busybox (busybox-static) — ${notes.join('; ')}`;
}
