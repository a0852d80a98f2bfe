// Image metadata on disk: one <root>/imagedb/<id-hex>.json per image (the config itself is a blob in the
// content store) and <root>/repositories.json mapping every tag or digest reference to an image ID.
// Order of writes when adding: blobs, layers, image record, then references; each file is replaced
// atomically, so after a crash an image is at worst untagged, never half there.
import { mkdirSync, readdirSync, existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonSync, writeJsonAtomic } from '../util/atomic-file.js';
import type { ContentStore } from '../storage/content-store.js';
import { digestHex } from '../storage/digest.js';
import { log } from '../util/log.js';
import type { ImageConfigJson, ImageRecord } from '../model/image.js';

export interface ImageMeta {
  id: string;
  size: number;
  loadedAt: string;
  lastTagTime?: string;
  parent?: string;
}

interface RepositoriesFile { refs: Record<string, string> }

export class ImageStore {
  private readonly dbDir: string;
  private readonly reposFile: string;
  private readonly metas = new Map<string, ImageMeta>();
  private readonly configs = new Map<string, ImageConfigJson>();
  /** Familiar `name:tag` or `name@digest` → image ID, in the order they were set. */
  private refs = new Map<string, string>();
  private refsWrite: Promise<void> = Promise.resolve();

  constructor(root: string, private readonly content: ContentStore) {
    this.dbDir = join(root, 'imagedb');
    this.reposFile = join(root, 'repositories.json');
    mkdirSync(this.dbDir, { recursive: true, mode: 0o700 });
  }

  /** Loads everything into memory; images whose config blob is gone are skipped with a warning. */
  async load(): Promise<void> {
    for (const f of readdirSync(this.dbDir)) {
      if (!/^[a-f0-9]{64}\.json$/.test(f)) continue;
      try {
        const meta = readJsonSync<ImageMeta>(join(this.dbDir, f));
        const config = JSON.parse((await this.content.read(meta.id)).toString('utf8')) as ImageConfigJson;
        this.metas.set(meta.id, meta);
        this.configs.set(meta.id, config);
      } catch (err) {
        log.warn('skipping damaged image record', { file: f, err: String(err) });
      }
    }
    if (existsSync(this.reposFile)) {
      const file = readJsonSync<RepositoriesFile>(this.reposFile);
      this.refs = new Map(Object.entries(file.refs ?? {}).filter(([, id]) => this.metas.has(id)));
    }
  }

  ids(): string[] {
    return [...this.metas.keys()];
  }

  has(id: string): boolean {
    return this.metas.has(id);
  }

  meta(id: string): ImageMeta | undefined {
    return this.metas.get(id);
  }

  record(id: string): ImageRecord | undefined {
    const meta = this.metas.get(id);
    const config = this.configs.get(id);
    if (!meta || !config) return undefined;
    const repoTags: string[] = [];
    const repoDigests: string[] = [];
    for (const [key, target] of this.refs) {
      if (target !== id) continue;
      (key.includes('@') ? repoDigests : repoTags).push(key);
    }
    return { id, repoTags, repoDigests, config, size: meta.size, loadedAt: meta.loadedAt, lastTagTime: meta.lastTagTime, parent: meta.parent };
  }

  records(): ImageRecord[] {
    return this.ids().map((id) => this.record(id)).filter((r): r is ImageRecord => r !== undefined);
  }

  async put(meta: ImageMeta, config: ImageConfigJson): Promise<void> {
    await writeJsonAtomic(join(this.dbDir, `${digestHex(meta.id)}.json`), meta);
    this.metas.set(meta.id, meta);
    this.configs.set(meta.id, config);
  }

  async delete(id: string): Promise<void> {
    for (const [key, target] of [...this.refs]) if (target === id) this.refs.delete(key);
    await this.saveRefs();
    await unlink(join(this.dbDir, `${digestHex(id)}.json`)).catch(() => undefined);
    this.metas.delete(id);
    this.configs.delete(id);
  }

  refTarget(key: string): string | undefined {
    return this.refs.get(key);
  }

  refsOf(id: string): string[] {
    return [...this.refs].filter(([, t]) => t === id).map(([k]) => k);
  }

  /** Points `key` at `id`; returns the image the key was taken from, if another. */
  async setRef(key: string, id: string): Promise<string | undefined> {
    const previous = this.refs.get(key);
    this.refs.set(key, id);
    await this.saveRefs();
    const meta = this.metas.get(id);
    if (meta && !key.includes('@')) {
      meta.lastTagTime = new Date().toISOString();
      await writeJsonAtomic(join(this.dbDir, `${digestHex(id)}.json`), meta);
    }
    return previous !== id ? previous : undefined;
  }

  async removeRef(key: string): Promise<boolean> {
    if (!this.refs.delete(key)) return false;
    await this.saveRefs();
    return true;
  }

  /** Writes run one after another, each with the state at its turn, so a slow older write never lands last. */
  private async saveRefs(): Promise<void> {
    const turn = this.refsWrite.then(() => writeJsonAtomic(this.reposFile, { refs: Object.fromEntries(this.refs) } satisfies RepositoriesFile));
    this.refsWrite = turn.catch(() => undefined);
    await turn;
  }
}
