// Where each layer was seen in compressed form: diffID → (registry, repository, blob digest, media type,
// size). A push asks the target registry for that blob first (HEAD), mounts it from another repository of
// the same registry, and only compresses and uploads when neither works. Kept in one JSON file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonSync, writeJsonAtomic } from '../../util/atomic-file.js';
import { log } from '../../util/log.js';

export interface BlobSource { registry: string; repo: string; digest: string; mediaType: string; size: number }

const MAX_PER_LAYER = 16;

export class BlobSources {
  private readonly file: string;
  private byDiff: Record<string, BlobSource[]> = {};
  private writing: Promise<void> = Promise.resolve();

  constructor(imageRoot: string) {
    this.file = join(imageRoot, 'distribution.json');
    if (existsSync(this.file)) {
      try { this.byDiff = readJsonSync<Record<string, BlobSource[]>>(this.file); } catch (err) { log.warn('ignoring damaged distribution.json', { err: String(err) }); }
    }
  }

  of(diffId: string): BlobSource[] {
    return this.byDiff[diffId] ?? [];
  }

  async add(diffId: string, src: BlobSource): Promise<void> {
    const list = (this.byDiff[diffId] ?? []).filter((s) => !(s.registry === src.registry && s.repo === src.repo && s.digest === src.digest));
    list.unshift(src);
    this.byDiff[diffId] = list.slice(0, MAX_PER_LAYER);
    const turn = this.writing.then(() => writeJsonAtomic(this.file, this.byDiff));
    this.writing = turn.catch(() => undefined);
    await turn;
  }
}
