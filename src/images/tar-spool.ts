// Spools an uploaded archive (docker save output) into a private temp dir so its files can be read in any
// order. Only regular files, directories and symlinks (old saves link duplicate layer.tar files) are kept;
// names are confined with the same rules as layer extraction (fs/confined-tree.ts), symlinks are resolved
// by hand, never by the filesystem, and members are read as regular files only (fs/read-regular.ts).
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { invalidArgument } from '../errors.js';
import { asTarFormatError } from '../storage/tar-apply.js';
import { clearEntry, entryParts, walkParents, writeNewFile } from '../fs/confined-tree.js';
import { readRegularFile } from '../fs/read-regular.js';
import { maybeDecompress } from '../storage/compression.js';

/** Manifests and image configs are read whole; layers are streamed (openRead). */
const MAX_MEMBER_READ = 64 * 1024 * 1024;

export class TarSpool {
  private readonly links = new Map<string, string>();

  private constructor(readonly dir: string) {}

  static async fromStream(input: Readable, tmpRoot: string): Promise<TarSpool> {
    await mkdir(tmpRoot, { recursive: true, mode: 0o700 });
    const spool = new TarSpool(await mkdtemp(join(tmpRoot, 'load-')));
    try {
      await spool.fill(await maybeDecompress(input));
    } catch (err) {
      await spool.remove();
      throw asTarFormatError(err);
    }
    return spool;
  }

  private async fill(input: Readable): Promise<void> {
    const extract = tar.extract();
    input.on('error', (err) => extract.destroy(err));
    input.pipe(extract);
    for await (const entry of extract) {
      const h = entry.header;
      const parts = entryParts(h.name);
      if (parts.length === 0) { entry.resume(); continue; }
      const rel = parts.join('/');
      if (h.type === 'directory') {
        await walkParents(this.dir, parts, h.name, true);
      } else if (h.type === 'symlink') {
        this.links.set(rel, h.linkname ?? '');
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        const path = join(await walkParents(this.dir, parts.slice(0, -1), h.name, true), parts[parts.length - 1]);
        await clearEntry(path, false); // a later entry of the same name replaces the earlier one
        await writeNewFile(path, entry);
      }
      entry.resume();
    }
  }

  /** Real path of an archive member, following the archive's own symlinks (bounded), confined to the spool. */
  resolve(name: string): string {
    let rel = entryParts(name).join('/');
    for (let hops = 0; hops < 16; hops++) {
      const target = this.links.get(rel);
      if (target === undefined) return join(this.dir, ...rel.split('/'));
      const joined = posix.normalize(posix.join(posix.dirname(rel), target));
      if (joined.startsWith('..') || posix.isAbsolute(target)) throw invalidArgument(`invalid symlink ${rel} in archive`);
      rel = joined;
    }
    throw invalidArgument(`too many symlinks at ${name} in archive`);
  }

  async exists(name: string): Promise<boolean> {
    const path = this.resolve(name);
    try { return (await stat(path)).isFile(); } catch { return false; }
  }

  async readJson<T>(name: string): Promise<T> {
    const data = (await this.read(name)).toString('utf8');
    try { return JSON.parse(data) as T; } catch { throw invalidArgument(`invalid JSON in ${name}`); }
  }

  /** A member's bytes (manifests and configs: bounded, regular files only). */
  async read(name: string): Promise<Buffer> {
    const data = await readRegularFile(this.resolve(name), { maxBytes: MAX_MEMBER_READ }).catch(() => undefined);
    if (!data) throw invalidArgument(`archive has no ${name}`);
    return data;
  }

  async size(name: string): Promise<number> {
    return (await stat(this.resolve(name))).size;
  }

  openRead(name: string): Readable {
    return createReadStream(this.resolve(name));
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
