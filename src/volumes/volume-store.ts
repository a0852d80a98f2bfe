// Local-driver volumes on disk, as Docker lays them out: <dataRoot>/volumes/<name>/_data holds the data,
// and volume.json beside it the metadata (written atomically, last, so a crash never leaves a torn file;
// a directory without metadata still counts as a volume, as in Docker). Removal renames the directory
// away first, so a crash half-way never leaves a half-deleted volume behind.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readJsonSync, writeJsonAtomic } from '../util/atomic-file.js';
import { isMounted, unmountRootfs } from '../fs/overlay.js';
import { log } from '../util/log.js';
import { errorMessage } from '../errors.js';
import type { VolumeRecord } from './types.js';

const META = 'volume.json';
const TRASH_PREFIX = '.trash-';

/** Docker's time.RFC3339 rendering: seconds precision, `Z` for UTC. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class VolumeStore {
  private readonly volumes = new Map<string, VolumeRecord>();

  constructor(readonly root: string) {}

  dir(name: string): string { return join(this.root, name); }
  dataDir(name: string): string { return join(this.root, name, '_data'); }

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o701 });
    for (const entry of readdirSync(this.root)) {
      if (entry.startsWith('.')) {
        // Left by a removal or copy-up interrupted by a crash (a copy-up may have left its overlay mounted).
        const leftover = join(this.root, entry);
        await unmountRootfs(leftover).catch(() => undefined);
        if (await isMounted(leftover)) continue;
        await rm(leftover, { recursive: true, force: true }).catch(() => undefined);
        continue;
      }
      const dir = this.dir(entry);
      try {
        if (!statSync(dir).isDirectory()) continue;
        this.volumes.set(entry, this.readRecord(entry));
      } catch (err) {
        log.warn('skipping unreadable volume', { name: entry, err: errorMessage(err) });
      }
    }
  }

  private readRecord(name: string): VolumeRecord {
    const meta = join(this.dir(name), META);
    if (existsSync(meta)) return { ...readJsonSync<VolumeRecord>(meta), Name: name };
    return { Name: name, Driver: 'local', Labels: null, Options: null, CreatedAt: rfc3339(statSync(this.dir(name)).mtime) };
  }

  get(name: string): VolumeRecord | undefined { return this.volumes.get(name); }
  all(): VolumeRecord[] { return [...this.volumes.values()]; }

  async add(rec: VolumeRecord): Promise<void> {
    await mkdir(this.dir(rec.Name), { mode: 0o701 }).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
    await mkdir(this.dataDir(rec.Name), { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
    await writeJsonAtomic(join(this.dir(rec.Name), META), rec);
    this.volumes.set(rec.Name, rec);
  }

  async remove(name: string): Promise<void> {
    const trash = join(this.root, `${TRASH_PREFIX}${name}-${randomBytes(4).toString('hex')}`);
    await rename(this.dir(name), trash).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err; });
    this.volumes.delete(name);
    await rm(trash, { recursive: true, force: true });
  }

  /** A scratch directory under the volumes root (cleaned at start-up when a crash left it). */
  scratchDir(tag: string): string {
    return join(this.root, `.${tag}-${randomBytes(6).toString('hex')}`);
  }
}
