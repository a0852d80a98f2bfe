// What a daemon may leave on the host for a container: a conmon process, an overlay mount, a network
// namespace. The state tests check that none is left for containers that are gone.
import { readdirSync, readFileSync } from 'node:fs';

/** pids of conmon processes whose command line names `needle` (a container ID or an exec root). */
export function conmonsFor(needle: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() !== 'conmon') continue;
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle)) pids.push(Number(p));
    } catch { /* gone meanwhile */ }
  }
  return pids;
}

/** Host mount points under `prefix` (overlays of stopped containers are mounted on the host). */
export function mountsUnder(prefix: string): string[] {
  return readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m && m.startsWith(prefix));
}

/** Named network namespaces Berth made for a container (berth-<id12>). */
export function netnsFor(id: string): string[] {
  try { return readdirSync('/var/run/netns').filter((n) => n === `berth-${id.slice(0, 12)}`); } catch { return []; }
}

/**
 * Namespace teardown after a run runs in the background (network/endpoints.ts): wait for it, bounded
 * (100 × 50 ms), and return what is still there.
 */
export async function netnsAfterTeardown(id: string): Promise<string[]> {
  for (let i = 0; i < 100 && netnsFor(id).length; i++) await new Promise((r) => setTimeout(r, 50));
  return netnsFor(id);
}
