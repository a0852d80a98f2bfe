// DELETE /images/{name} and POST /images/prune with Docker's rules: a repository reference is untagged,
// and the image goes only when nothing else references it; conflicts carry Docker's exact wording.
// Layers go when no remaining image uses them (and no container might: see collectGarbage).
import { conflict, notFound } from '../errors.js';
import { shortId } from '../util/ids.js';
import { chainIds } from '../storage/digest.js';
import type { ImageBackend } from './image-backend.js';
import { normalizeTagged, parseReference, repoOf, displayRef } from './reference.js';
import { createdSeconds, labelsMatch, parseBool, parseUntil, type Filters } from './image-views.js';
import { invalidArgument } from '../errors.js';

export type DeleteItem = { Untagged: string } | { Deleted: string };

/** Docker's isSingleReference: one tag (plus digests of the same repository), or one repository's digests. */
function isSingleReference(refs: string[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const digestRepos = new Set(refs.filter((r) => r.includes('@')).map(repoOf));
  const tags = refs.filter((r) => !r.includes('@'));
  if (tags.length > 1) return false;
  const single = tags[0] ?? refs[0];
  return digestRepos.size === 1 && digestRepos.has(repoOf(single));
}

interface Conflict { message: string; hard: boolean; used: boolean }

function findConflict(svc: ImageBackend, id: string, opts: { soft: boolean; activeReference: boolean }): Conflict | undefined {
  if (svc.store.records().some((r) => r.parent === id)) return { hard: true, used: false, message: 'image has dependent child images' };
  const users = svc.users(id);
  const running = users.find((u) => u.running);
  if (running) return { hard: true, used: true, message: `image is being used by running container ${shortId(running.id)}` };
  if (!opts.soft) return undefined;
  if (opts.activeReference && svc.store.refsOf(id).length > 0) return { hard: false, used: false, message: 'image is referenced in multiple repositories' };
  const stopped = users.find((u) => !u.running);
  if (stopped) return { hard: false, used: true, message: `image is being used by stopped container ${shortId(stopped.id)}` };
  return undefined;
}

function conflictError(id: string, c: Conflict): Error {
  return conflict(`conflict: unable to delete ${shortId(id)} (${c.hard ? 'cannot be forced' : 'must be forced'}) - ${c.message}`);
}

export async function deleteImage(svc: ImageBackend, ref: string, force: boolean, prune: boolean): Promise<DeleteItem[]> {
  void prune; // no parent chains: images here are loaded or imported, never built into children
  const id = svc.findId(ref);
  if (!id) throw notFound(`No such image: ${displayRef(ref)}`);
  const records: DeleteItem[] = [];
  let refs = svc.store.refsOf(id);
  let quiet = false;

  if (!svc.isIdRef(ref, id)) {
    const key = normalizeTagged(ref);
    if (!force && isSingleReference(refs)) {
      const user = svc.users(id)[0];
      if (user) {
        throw conflict(`conflict: unable to remove repository reference "${ref}" (must force) - container ${shortId(user.id)} is using its referenced image ${shortId(id)}`);
      }
    }
    await svc.store.removeRef(key);
    records.push({ Untagged: key });
    svc.publish('untag', id, id);
    refs = svc.store.refsOf(id);
    // A removed tag takes the digest references of its repository along when no tag of it is left.
    if (!key.includes('@')) {
      const repo = repoOf(key);
      if (!refs.some((r) => !r.includes('@') && repoOf(r) === repo)) {
        for (const r of refs.filter((x) => x.includes('@') && repoOf(x) === repo)) {
          await svc.store.removeRef(r);
          records.push({ Untagged: r });
        }
        refs = svc.store.refsOf(id);
      }
    }
    if (refs.length > 0) return records;
    quiet = true;
  } else if (isSingleReference(refs)) {
    const c = findConflict(svc, id, { soft: !force, activeReference: false });
    if (c) throw conflictError(id, c);
    for (const r of refs) {
      await svc.store.removeRef(r);
      records.push({ Untagged: r });
      svc.publish('untag', id, id);
    }
  }

  const c = findConflict(svc, id, { soft: !force, activeReference: true });
  if (c) {
    // Docker's imageIsDangling: no references and no child images.
    const dangling = svc.store.refsOf(id).length === 0 && !svc.store.records().some((r) => r.parent === id);
    if (quiet && (!dangling || c.used)) return records;
    throw conflictError(id, c);
  }
  await removeImage(svc, id, records);
  return records;
}

/** Drops every reference and the record, then collects the layers and blobs nothing uses any more. */
async function removeImage(svc: ImageBackend, id: string, records: DeleteItem[]): Promise<number> {
  for (const r of svc.store.refsOf(id)) records.push({ Untagged: r });
  const rec = svc.store.record(id);
  await svc.store.delete(id);
  svc.publish('delete', id, id);
  records.push({ Deleted: id });
  const candidates = rec ? { chains: chainIds(rec.config.rootfs.diff_ids), blobs: [id, ...rec.config.rootfs.diff_ids] } : { chains: [], blobs: [id] };
  const { removedLayers, reclaimed } = await collectGarbage(svc, candidates);
  for (const l of removedLayers) records.push({ Deleted: l });
  return reclaimed;
}

/**
 * Removes layers and blobs that no image uses: the given candidates (a deleted image's chains, config and
 * diffs), or everything when none are given (at start-up, before any request). Pinned digests (imports in
 * flight) stay. Skipped while a container uses an image ID we no longer know: its layers are still mounted
 * under it; a later collection picks them up.
 */
export async function collectGarbage(svc: ImageBackend, candidates?: { chains: string[]; blobs: string[] }): Promise<{ removedLayers: string[]; reclaimed: number }> {
  if (!candidates && svc.importsInFlight()) return { removedLayers: [], reclaimed: 0 };
  const known = new Set(svc.store.ids());
  for (const used of svc.opts.imagesInUse()) if (!known.has(used)) return { removedLayers: [], reclaimed: 0 };
  const usedChains = new Set<string>();
  const usedBlobs = new Set<string>();
  for (const rec of svc.store.records()) {
    usedBlobs.add(rec.id);
    for (const d of rec.config.rootfs.diff_ids) usedBlobs.add(d);
    for (const c of chainIds(rec.config.rootfs.diff_ids)) usedChains.add(c);
  }
  const removedLayers: string[] = [];
  let reclaimed = 0;
  const layerList = candidates?.chains ?? (await svc.layers.list());
  // Top-most first, as Docker lists removed layers.
  for (const chain of [...layerList].reverse()) {
    if (usedChains.has(chain) || svc.isPinned(chain) || !svc.layers.has(chain)) continue;
    reclaimed += (await svc.layers.info(chain)).size;
    await svc.layers.remove(chain);
    removedLayers.push(chain);
  }
  for (const blob of candidates?.blobs ?? (await svc.content.list())) {
    if (!usedBlobs.has(blob) && !svc.isPinned(blob)) await svc.content.delete(blob);
  }
  return { removedLayers, reclaimed };
}

export interface PruneResult { ImagesDeleted: DeleteItem[] | null; SpaceReclaimed: number }

export async function pruneImages(svc: ImageBackend, f: Filters): Promise<PruneResult> {
  for (const k of Object.keys(f)) if (!['dangling', 'until', 'label', 'label!'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
  const danglingOnly = f.dangling?.length ? parseBool('dangling', f.dangling[f.dangling.length - 1]) : true;
  const until = f.until?.length ? parseUntil(f.until[0]) : undefined;
  const inUse = svc.opts.imagesInUse();
  const deleted: DeleteItem[] = [];
  let reclaimed = 0;
  for (const rec of svc.store.records()) {
    if (inUse.has(rec.id)) continue;
    if (danglingOnly && rec.repoTags.length > 0) continue;
    if (until !== undefined && createdSeconds(rec) >= until) continue;
    const labels = rec.config.config?.Labels ?? {};
    if (f.label?.length && !labelsMatch(labels, f.label)) continue;
    if (f['label!']?.length && f['label!'].some((l) => labelsMatch(labels, [l]))) continue;
    if (svc.store.records().some((r) => r.parent === rec.id)) continue;
    for (const r of svc.store.refsOf(rec.id)) {
      await svc.store.removeRef(r);
      deleted.push({ Untagged: r });
      svc.publish('untag', rec.id, rec.id);
    }
    reclaimed += await removeImage(svc, rec.id, deleted);
  }
  // Also sweep what earlier forced removals left for containers that are gone now.
  reclaimed += (await collectGarbage(svc)).reclaimed;
  svc.opts.events.publish('image', 'prune', '', { reclaimed: String(reclaimed) });
  return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
}

/** `docker tag SRC TARGET`: 201 with no body; the target must be a tag, not a digest. */
export async function tagImage(svc: ImageBackend, src: string, repo: string, tag: string): Promise<void> {
  const image = await svc.resolve(src);
  if (!repo) throw invalidArgument('repository name must have at least one component');
  const target = parseReference(tag ? `${repo}:${tag}` : repo);
  if (target.digest) throw invalidArgument('refusing to create a tag with a digest reference');
  const key = normalizeTagged(tag ? `${repo}:${tag}` : repo);
  await svc.setTag(key, image.id);
  svc.publish('tag', image.id, key);
}
