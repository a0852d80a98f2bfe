// Spools an uploaded archive (docker save output) into a private temp dir so its files can be read in any
// order. Only regular files, directories and symlinks (old saves link duplicate layer.tar files) are kept;
// names are confined with the same rules as layer extraction and symlinks are resolved by hand, never by
// the filesystem.
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { invalidArgument } from '../errors.js';
import { entryParts, asTarFormatError } from '../storage/tar-apply.js';
import { maybeDecompress } from '../storage/compression.js';

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
        await mkdir(join(this.dir, ...parts), { recursive: true, mode: 0o700 });
      } else if (h.type === 'symlink') {
        this.links.set(rel, h.linkname ?? '');
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        await mkdir(join(this.dir, ...parts.slice(0, -1)), { recursive: true, mode: 0o700 });
        const fh = await open(join(this.dir, ...parts), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
        try { for await (const chunk of entry) await fh.write(chunk as Buffer); } finally { await fh.close(); }
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
    const data = await readFile(this.resolve(name), 'utf8').catch(() => { throw invalidArgument(`archive has no ${name}`); });
    try { return JSON.parse(data) as T; } catch { throw invalidArgument(`invalid JSON in ${name}`); }
  }

  async read(name: string): Promise<Buffer> {
    return await readFile(this.resolve(name)).catch(() => { throw invalidArgument(`archive has no ${name}`); });
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
