// Docker's rules for reading a build context tar, in one place for both passes over it: the index pass (on
// arrival, in the indexer worker: hashes only) and the unpack pass (when a step first copies: writes files).
// Names are normalised; a parent that is not a directory of the context is refused; a later entry replaces an
// earlier one of the same name (and everything below it); a hard link must name a file seen before it.
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { invalidArgument } from '../../errors.js';
import { maybeDecompress } from '../../storage/compression.js';

export interface ContextEntry {
  type: 'file' | 'directory' | 'symlink' | 'link';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** sha256 of the content (files), or of the link target; '' where not computed (the unpack pass). */
  hash: string;
  linkname?: string;
}

export interface Owned { mode: number; uid: number; gid: number }

/** What a pass does with each entry; the walk keeps `entries` (its own map) consistent. */
export interface TarEffects {
  /** A directory: named by an entry (`implicit` false) or implied by a deeper name; `exists` when seen before. */
  directory(rel: string, implicit: boolean, exists: boolean): Promise<void>;
  /** Reads the file's content; answers its size and hash. */
  file(rel: string, owned: Owned, content: AsyncIterable<Buffer>, mtime?: Date): Promise<{ size: number; hash: string }>;
  symlink(rel: string, target: string): Promise<string>;
  hardlink(rel: string, target: string): Promise<void>;
  /** An earlier entry of this name (and what is below it) is being replaced. */
  replace(rel: string): Promise<void>;
}

export const rootEntry = (): ContextEntry => ({ type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, hash: '' });

export function newEntries(): Map<string, ContextEntry> {
  return new Map([['', rootEntry()]]);
}

/** Walks a tar stream, applying the context rules to `entries` and the pass's effects. */
export async function walkTar(stream: Readable, entries: Map<string, ContextEntry>, fx: TarEffects): Promise<void> {
  const ex = tar.extract();
  stream.on('error', (err) => ex.destroy(err));
  stream.pipe(ex);
  for await (const entry of ex) {
    const h = entry.header;
    if (h.name.includes('\0')) throw invalidArgument('invalid build context: NUL in a name');
    const rel = posix.normalize('/' + h.name).replace(/^\/+/, '').replace(/\/+$/, '');
    if (!rel || rel === '.') { entry.resume(); continue; }
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      const e = entries.get(p);
      if (e && e.type !== 'directory') throw invalidArgument(`invalid build context: ${JSON.stringify(rel)} is below a non-directory`);
      if (!e) { await fx.directory(p, true, false); entries.set(p, rootEntry()); }
    }
    const existing = entries.get(rel);
    if (existing && !(existing.type === 'directory' && h.type === 'directory')) {
      await fx.replace(rel);
      for (const k of [...entries.keys()]) if (k === rel || k.startsWith(rel + '/')) entries.delete(k);
    }
    const owned: Owned = { mode: (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0 };
    switch (h.type) {
      case 'directory':
        await fx.directory(rel, false, existing?.type === 'directory');
        entries.set(rel, { type: 'directory', ...owned, size: 0, hash: '' });
        entry.resume();
        break;
      case 'file': case 'contiguous-file': {
        const { size, hash } = await fx.file(rel, owned, entry as AsyncIterable<Buffer>, h.mtime);
        entries.set(rel, { type: 'file', ...owned, size, hash });
        break;
      }
      case 'symlink': {
        const linkname = h.linkname ?? '';
        entries.set(rel, { type: 'symlink', ...owned, size: 0, hash: await fx.symlink(rel, linkname), linkname });
        entry.resume();
        break;
      }
      case 'link': {
        const target = posix.normalize('/' + (h.linkname ?? '')).replace(/^\/+/, '');
        const t = entries.get(target);
        if (!t || t.type !== 'file') throw invalidArgument(`invalid build context: hard link ${JSON.stringify(h.name)} to a missing file`);
        await fx.hardlink(rel, target);
        entries.set(rel, { ...t });
        entry.resume();
        break;
      }
      default:
        entry.resume(); // devices, fifos: not part of a build context
    }
  }
}

/** A context body as a tar: gunzipped when gzip, and closed with end-of-archive blocks. Or, when the body is
 * no archive at all, its bytes (`docker build - < Dockerfile` sends the Dockerfile alone). */
export async function contextTar(body: Readable): Promise<{ tar: Readable } | { bare: Buffer }> {
  const input = await maybeDecompress(body);
  const it = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < 512) {
    const r = await it.next();
    if (r.done) { done = true; break; }
    head.push(r.value as Buffer);
    have += (r.value as Buffer).length;
  }
  const bytes = Buffer.concat(head);
  const isTar = bytes.length >= 262 && bytes.subarray(257, 262).toString('latin1') === 'ustar';
  if (!isTar) {
    const rest: Buffer[] = [bytes];
    if (!done) for (;;) { const r = await it.next(); if (r.done) break; rest.push(r.value as Buffer); }
    return { bare: Buffer.concat(rest) };
  }
  async function* replay(): AsyncGenerator<Buffer> {
    let total = bytes.length;
    yield bytes;
    if (!done) for (;;) { const r = await it.next(); if (r.done) break; total += (r.value as Buffer).length; yield r.value as Buffer; }
    // Go's tar reader accepts an archive without its end-of-archive blocks (the docker CLI sends such
    // contexts with -f outside the context, even without the last entry's padding); tar-stream does not, so
    // the padding and the blocks are added (extra zero blocks after a complete archive are harmless).
    yield Buffer.alloc(((512 - (total % 512)) % 512) + 1024);
  }
  return { tar: Readable.from(replay(), { objectMode: false }) };
}
