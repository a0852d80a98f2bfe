// Size of a container's writable layer (SizeRw), walked with lstat; bounded by the directory tree.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function dirSize(path: string): Promise<number> {
  let total = 0;
  const stack = [path];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries;
    try { entries = await readdir(dir, { withFileTypes: true }); } catch { continue; }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else {
        try { total += (await lstat(p)).size; } catch { /* gone meanwhile */ }
      }
    }
  }
  return total;
}
