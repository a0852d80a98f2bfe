// Garbage collection of a registry root: mark every blob a stored manifest refers to (the manifest itself,
// config, layers, an index's children), then delete the blobs nothing marks and the repository links to
// them. Like distribution's `garbage-collect`, run it while nobody pushes: a blob uploaded for a manifest
// not yet pushed looks unreferenced.
import { parseDigest } from '../names.js';
import { parseManifest } from './manifest.js';
import type { RegistryStorage } from './registry-storage.js';

export interface GcOptions {
  dryRun?: boolean;
  /** Blobs someone else uses (berthd's images, when the store is shared): never deleted. */
  keep?: (digest: string) => boolean;
  /** Called for each blob deleted (or, in a dry run, that would be). */
  onDelete?: (digest: string, size: number) => void;
}

export interface GcResult { marked: number; deleted: string[]; bytes: number }

export async function markReferenced(storage: RegistryStorage): Promise<Set<string>> {
  const marked = new Set<string>();
  for (const repo of await storage.repos.names()) {
    for (const digest of await storage.repos.revisions(repo)) {
      const d = parseDigest(digest);
      marked.add(digest);
      const rev = await storage.repos.revision(repo, d);
      let body: Buffer;
      try { body = await storage.blobs.read(d); } catch { continue; }
      try {
        const m = parseManifest(body, rev?.mediaType);
        for (const b of m.blobs) marked.add(b.digest);
        for (const c of m.manifests) marked.add(c.digest);
      } catch {
        // Stored before the checks existed, or damaged: keep what it is, there is nothing to follow.
      }
    }
  }
  return marked;
}

export async function collectGarbage(storage: RegistryStorage, opts: GcOptions = {}): Promise<GcResult> {
  const marked = await markReferenced(storage);
  const deleted: string[] = [];
  let bytes = 0;
  for (const digest of await storage.blobs.list()) {
    if (marked.has(digest) || opts.keep?.(digest)) continue;
    const d = parseDigest(digest);
    const size = (await storage.blobs.size(d)) ?? 0;
    opts.onDelete?.(digest, size);
    deleted.push(digest);
    bytes += size;
    if (!opts.dryRun) await storage.blobs.delete(d);
  }
  if (!opts.dryRun) {
    const gone = new Set(deleted);
    for (const repo of await storage.repos.names()) {
      for (const digest of await storage.repos.linkedBlobs(repo)) if (gone.has(digest)) await storage.repos.unlinkBlob(repo, parseDigest(digest));
    }
  }
  return { marked: marked.size, deleted, bytes };
}
