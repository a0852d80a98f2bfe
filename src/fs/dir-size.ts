// Size of a directory tree (SizeRw, SizeRootFs), walked with lstat; hard links count once, as `du` does.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function dirSize(path: string, seen = new Set<string>()): Promise<number> {
  let total = 0;
  const stack = [path];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries;
    try { entries = await readdir(dir, { withFileTypes: true }); } catch { continue; }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) { stack.push(p); continue; }
      try {
        const st = await lstat(p);
        const key = `${st.dev}:${st.ino}`;
        if (st.nlink > 1) { if (seen.has(key)) continue; seen.add(key); }
        total += st.size;
      } catch { /* gone meanwhile */ }
    }
  }
  return total;
}
