// The build context as a tar stream for POST /build: the directory's files (symlinks as links, never
// followed), minus what .dockerignore excludes (its patterns with `*`, `**`, `?` and `!` exceptions).
import { lstatSync, readdirSync, readFileSync, readlinkSync, createReadStream, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';

interface IgnoreRule { re: RegExp; negate: boolean }

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') { re += '.*'; i++; if (pattern[i + 1] === '/') i++; } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern matching a directory excludes everything below it.
  return new RegExp(`^${re}(/.*)?$`);
}

function readIgnore(dir: string, dockerfile: string): IgnoreRule[] {
  const candidates = [`${dockerfile}.dockerignore`, '.dockerignore'].map((f) => join(dir, f));
  const file = candidates.find(existsSync);
  if (!file) return [];
  return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const negate = l.startsWith('!');
    const p = (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '').replace(/^\.\//, '');
    return { re: globToRegExp(p), negate };
  });
}

function ignored(rel: string, rules: IgnoreRule[]): boolean {
  let out = false;
  for (const r of rules) if (r.re.test(rel)) out = !r.negate;
  return out;
}

/** Lists the context (bounded walk), then streams it; the Dockerfile is always sent. */
export function packContext(dir: string, dockerfile: string): Readable {
  const rules = readIgnore(dir, dockerfile);
  const pack = tar.pack();
  const entries: string[] = [];
  const walk = (d: string, depth: number) => {
    if (depth > 64) return;
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const rel = relative(dir, full).split(sep).join('/');
      const keep = rel === dockerfile || !ignored(rel, rules);
      const st = lstatSync(full);
      if (st.isDirectory()) { if (keep) entries.push(full); walk(full, depth + 1); } else if (keep) entries.push(full);
    }
  };
  walk(dir, 0);
  (async () => {
    for (const full of entries) {
      const st = lstatSync(full);
      const name = relative(dir, full).split(sep).join('/');
      const header = { name, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
      if (st.isDirectory()) pack.entry({ ...header, type: 'directory' });
      else if (st.isSymbolicLink()) pack.entry({ ...header, type: 'symlink', linkname: readlinkSync(full) });
      else if (st.isFile()) {
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ ...header, size: st.size }, (err) => (err ? reject(err) : resolve()));
          createReadStream(full).on('error', reject).pipe(entry);
        });
      }
    }
    pack.finalize();
  })().catch((err: Error) => pack.destroy(err));
  return pack as unknown as Readable;
}
