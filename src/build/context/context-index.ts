// The index pass over a context body: every entry with its mode, owner, size and content hash (COPY's cache
// key: never mtimes), and the bytes of the few small files the build reads before any step (the Dockerfile,
// its .dockerignore). Runs in the indexer worker, so a cached build hashes its context off the event loop
// while it is still arriving; it writes nothing.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { contextTar, newEntries, walkTar, type ContextEntry } from './tar-walk.js';

/** Wanted files up to this size are kept from the index pass. */
export const SMALL_FILE = 1024 * 1024;

export interface ContextIndex {
  entries: Array<[string, ContextEntry]>;
  /** Contents of the wanted files found (small ones only). */
  small: Array<[string, Uint8Array]>;
  /** The body was no archive: these are its bytes (the Dockerfile). */
  bare?: Uint8Array;
}

export async function indexContext(body: Readable, wanted: ReadonlySet<string>): Promise<ContextIndex> {
  const input = await contextTar(body);
  if ('bare' in input) return { entries: [], small: [], bare: input.bare };
  const entries = newEntries();
  const small = new Map<string, Uint8Array>();
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  await walkTar(input.tar, entries, {
    directory: async () => undefined,
    replace: async (rel) => { for (const k of [...small.keys()]) if (k === rel || k.startsWith(rel + '/')) small.delete(k); },
    file: async (rel, _owned, content) => {
      const hash = createHash('sha256');
      const keep = wanted.has(rel) ? [] as Buffer[] : undefined;
      let size = 0;
      for await (const chunk of content) {
        hash.update(chunk);
        size += chunk.length;
        if (keep && size <= SMALL_FILE) keep.push(chunk);
      }
      if (keep && size <= SMALL_FILE) small.set(rel, Buffer.concat(keep));
      return { size, hash: hash.digest('hex') };
    },
    symlink: async (_rel, target) => sha(target),
    hardlink: async (rel, target) => { const held = small.get(target); if (wanted.has(rel) && held) small.set(rel, held); },
  });
  return { entries: [...entries], small: [...small] };
}
