// Per-repository links, as distribution keeps them: which blobs a repository may serve, which manifests it
// has (with the media type they were pushed with), its tags, and the referrers of each subject.
//   <root>/repositories/<name>/_layers/<alg>/<hex>                    (empty: the link itself)
//   <root>/repositories/<name>/_manifests/revisions/<alg>/<hex>       {"mediaType","size","subject"?}
//   <root>/repositories/<name>/_manifests/tags/<tag>                  digest
//   <root>/repositories/<name>/_referrers/<alg>/<hex>/<alg>-<hex>.json   descriptor of a referrer
// Name components never start with `_` (see names.ts), so these never collide with nested repositories.
import { existsSync, mkdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../../util/atomic-file.js';
import { parseDigest, type ParsedDigest } from '../names.js';
import type { Descriptor } from './manifest.js';

export interface Revision { mediaType: string; size: number; subject?: string }

async function readText(path: string): Promise<string | undefined> {
  try { return await readFile(path, 'utf8'); } catch { return undefined; }
}

async function listDir(path: string): Promise<string[]> {
  try { return await readdir(path); } catch { return []; }
}

export class RepositoryStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = join(root, 'repositories');
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
  }

  private dir(name: string): string {
    return join(this.root, ...name.split('/'));
  }

  exists(name: string): boolean {
    return existsSync(join(this.dir(name), '_manifests')) || existsSync(join(this.dir(name), '_layers'));
  }

  // --- blob links

  private layerPath(name: string, d: ParsedDigest): string {
    return join(this.dir(name), '_layers', d.algorithm, d.hex);
  }

  async linkBlob(name: string, d: ParsedDigest): Promise<void> {
    const p = this.layerPath(name, d);
    await mkdir(dirname(p), { recursive: true, mode: 0o700 });
    await writeFile(p, '', { mode: 0o600 });
  }

  hasBlob(name: string, d: ParsedDigest): boolean {
    return existsSync(this.layerPath(name, d));
  }

  async unlinkBlob(name: string, d: ParsedDigest): Promise<boolean> {
    try { await unlink(this.layerPath(name, d)); return true; } catch { return false; }
  }

  async linkedBlobs(name: string): Promise<string[]> {
    const out: string[] = [];
    for (const alg of await listDir(join(this.dir(name), '_layers'))) {
      for (const hex of await listDir(join(this.dir(name), '_layers', alg))) out.push(`${alg}:${hex}`);
    }
    return out;
  }

  // --- manifests

  private revisionPath(name: string, d: ParsedDigest): string {
    return join(this.dir(name), '_manifests', 'revisions', d.algorithm, d.hex);
  }

  async putRevision(name: string, d: ParsedDigest, rev: Revision): Promise<void> {
    const p = this.revisionPath(name, d);
    await mkdir(dirname(p), { recursive: true, mode: 0o700 });
    await writeFileAtomic(p, JSON.stringify(rev));
  }

  async revision(name: string, d: ParsedDigest): Promise<Revision | undefined> {
    const text = await readText(this.revisionPath(name, d));
    return text === undefined ? undefined : (JSON.parse(text) as Revision);
  }

  async revisions(name: string): Promise<string[]> {
    const base = join(this.dir(name), '_manifests', 'revisions');
    const out: string[] = [];
    for (const alg of await listDir(base)) for (const hex of await listDir(join(base, alg))) if (!hex.includes('.')) out.push(`${alg}:${hex}`);
    return out;
  }

  /** Removes the manifest, every tag that points at it and its entry in its subject's referrers. */
  async deleteRevision(name: string, d: ParsedDigest): Promise<boolean> {
    const rev = await this.revision(name, d);
    if (!rev) return false;
    for (const tag of await this.tags(name)) if ((await this.resolveTag(name, tag)) === d.digest) await this.deleteTag(name, tag);
    if (rev.subject) await unlink(this.referrerPath(name, parseDigest(rev.subject), d)).catch(() => undefined);
    await unlink(this.revisionPath(name, d));
    return true;
  }

  // --- tags

  private tagPath(name: string, tag: string): string {
    return join(this.dir(name), '_manifests', 'tags', tag);
  }

  async setTag(name: string, tag: string, digest: string): Promise<void> {
    await mkdir(dirname(this.tagPath(name, tag)), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.tagPath(name, tag), digest);
  }

  async resolveTag(name: string, tag: string): Promise<string | undefined> {
    return (await readText(this.tagPath(name, tag)))?.trim();
  }

  async deleteTag(name: string, tag: string): Promise<boolean> {
    try { await unlink(this.tagPath(name, tag)); return true; } catch { return false; }
  }

  /** Tags in lexical order (temp files of atomic writes start with `.` and are skipped). */
  async tags(name: string): Promise<string[]> {
    return (await listDir(join(this.dir(name), '_manifests', 'tags'))).filter((t) => !t.startsWith('.')).sort();
  }

  // --- referrers

  private referrerPath(name: string, subject: ParsedDigest, ref: ParsedDigest): string {
    return join(this.dir(name), '_referrers', subject.algorithm, subject.hex, `${ref.algorithm}-${ref.hex}.json`);
  }

  async addReferrer(name: string, subject: ParsedDigest, desc: Descriptor): Promise<void> {
    const p = this.referrerPath(name, subject, parseDigest(desc.digest));
    await mkdir(dirname(p), { recursive: true, mode: 0o700 });
    await writeFileAtomic(p, JSON.stringify(desc));
  }

  async referrers(name: string, subject: ParsedDigest): Promise<Descriptor[]> {
    const dir = join(this.dir(name), '_referrers', subject.algorithm, subject.hex);
    const out: Descriptor[] = [];
    for (const f of (await listDir(dir)).sort()) {
      if (!f.endsWith('.json') || f.startsWith('.')) continue;
      const text = await readText(join(dir, f));
      if (text !== undefined) out.push(JSON.parse(text) as Descriptor);
    }
    return out;
  }

  // --- catalog

  /** Every repository name, in lexical order. */
  async names(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string[]): Promise<void> => {
      const here = join(this.root, ...rel);
      const entries = await listDir(here);
      if (rel.length && (entries.includes('_manifests') || entries.includes('_layers'))) out.push(rel.join('/'));
      for (const e of entries) if (!e.startsWith('_') && !e.startsWith('.')) await walk([...rel, e]);
    };
    await walk([]);
    return out.sort();
  }

  /** Deletes a repository's directory when nothing is left in it (after garbage collection). */
  async removeIfEmpty(name: string): Promise<void> {
    if ((await this.revisions(name)).length || (await this.linkedBlobs(name)).length) return;
    const sub = (await listDir(this.dir(name))).filter((e) => !e.startsWith('_'));
    if (sub.length === 0) await rm(this.dir(name), { recursive: true, force: true });
  }
}
