// Garbage collection of a registry root: mark every blob a kept manifest refers to (the manifest itself,
// config, layers, an index's children), then delete the blobs nothing marks and the repository links to
// them. Manifests are kept unless `deleteUntagged`: then only those reachable from a tag (through indexes,
// and the referrers of what is kept) stay. Like distribution's `garbage-collect`, run it while nobody
// pushes: a blob uploaded for a manifest not yet pushed looks unreferenced.
import { parseDigest } from '../names.js';
import { parseManifest, type ParsedManifest } from './manifest.js';
import type { RegistryStorage } from './registry-storage.js';

export interface GcOptions {
  dryRun?: boolean;
  /** Also delete manifests no tag reaches. */
  deleteUntagged?: boolean;
  /** Upload sessions started longer ago than this are abandoned and deleted (distribution: one week). */
  uploadMaxAgeMs?: number;
  /** Blobs someone else uses (berthd's images, when the store is shared): never deleted. */
  keep?: (digest: string) => boolean;
  /** Called for each blob deleted (or, in a dry run, that would be). */
  onDelete?: (digest: string, size: number) => void;
  onDeleteManifest?: (repo: string, digest: string) => void;
}

export interface GcResult { marked: number; deleted: string[]; bytes: number; manifestsDeleted: number; uploadsDeleted: number }

export const WEEK_MS = 7 * 24 * 3600 * 1000;

async function readManifest(storage: RegistryStorage, repo: string, digest: string): Promise<ParsedManifest | undefined> {
  const d = parseDigest(digest);
  const rev = await storage.repos.revision(repo, d);
  if (!rev) return undefined;
  try {
    return parseManifest(await storage.blobs.read(d), rev.mediaType);
  } catch {
    return undefined; // damaged or gone: nothing to follow
  }
}

/** Manifests of `repo` to keep: all of them, or (deleteUntagged) those a tag reaches. */
async function keptManifests(storage: RegistryStorage, repo: string, deleteUntagged: boolean): Promise<Set<string>> {
  const all = await storage.repos.revisions(repo);
  if (!deleteUntagged) return new Set(all);
  const kept = new Set<string>();
  const queue: string[] = [];
  for (const tag of await storage.repos.tags(repo)) {
    const d = await storage.repos.resolveTag(repo, tag);
    if (d) queue.push(d);
  }
  // Referrers (signatures, SBOMs) live as long as their subject.
  const subjects = new Map<string, string[]>();
  for (const digest of all) {
    const m = await readManifest(storage, repo, digest);
    if (m?.subject) subjects.set(m.subject.digest, [...(subjects.get(m.subject.digest) ?? []), digest]);
  }
  for (let i = 0; i < queue.length; i++) {
    const digest = queue[i];
    if (kept.has(digest)) continue;
    kept.add(digest);
    const m = await readManifest(storage, repo, digest);
    for (const c of m?.manifests ?? []) queue.push(c.digest);
    queue.push(...(subjects.get(digest) ?? []));
  }
  return kept;
}

export async function collectGarbage(storage: RegistryStorage, opts: GcOptions = {}): Promise<GcResult> {
  const marked = new Set<string>();
  let manifestsDeleted = 0;
  for (const repo of await storage.repos.names()) {
    const kept = await keptManifests(storage, repo, opts.deleteUntagged ?? false);
    for (const digest of await storage.repos.revisions(repo)) {
      if (!kept.has(digest)) {
        opts.onDeleteManifest?.(repo, digest);
        manifestsDeleted++;
        if (!opts.dryRun) await storage.repos.deleteRevision(repo, parseDigest(digest));
        continue;
      }
      marked.add(digest);
      const m = await readManifest(storage, repo, digest);
      for (const b of m?.blobs ?? []) marked.add(b.digest);
      for (const c of m?.manifests ?? []) marked.add(c.digest);
    }
  }
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
  const uploadsDeleted = await storage.uploads.purge(opts.uploadMaxAgeMs ?? WEEK_MS, opts.dryRun ?? false);
  return { marked: marked.size, deleted, bytes, manifestsDeleted, uploadsDeleted };
}
