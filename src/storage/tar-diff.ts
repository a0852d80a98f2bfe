// The reverse of tar-apply: packs an overlayfs upper directory (a container's changes) as a Docker layer
// tar. Overlay whiteouts (0/0 char devices) become `.wh.<name>` entries, opaque directories get
// `.wh..wh..opq`, hardlinks within the tree stay hardlinks. Entries are sorted, so equal trees give equal tars.
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import tar, { type Pack } from 'tar-stream';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from './tar-apply.js';
import { CommandFailed, runCommand as run } from '../util/run-command.js';

export interface PackDiffOptions {
  /** Relative paths (no leading slash) to leave out, e.g. mount points the runtime created. */
  exclude?: (relPath: string) => boolean;
}

/** Directories of `root` marked opaque by overlayfs (trusted.overlay.opaque=y), as absolute paths. */
async function opaqueDirs(root: string): Promise<Set<string>> {
  const out = new Set<string>();
  let stdout = '';
  try {
    // -h: never follow symlinks (dangling ones would fail); -P: do not recurse through them.
    ({ stdout } = await run('getfattr', ['-R', '-P', '-h', '-d', '--absolute-names', '-m', '^trusted\\.overlay\\.opaque$', root], { maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    // A non-zero exit (an unreadable entry) still lists everything else.
    stdout = err instanceof CommandFailed ? err.stdout : '';
  }
  let file: string | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# file: ')) file = line.slice(8).replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    else if (file && /^trusted\.overlay\.opaque="y"$/.test(line)) out.add(file);
  }
  return out;
}

function devNumbers(rdev: number): { devmajor: number; devminor: number } {
  return { devmajor: (rdev >> 8) & 0xfff, devminor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00) };
}

function addEntry(pack: Pack, header: Parameters<Pack['entry']>[0], body?: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!body) {
      // File entries without a body still need their (empty) content written, or the pack waits forever.
      if (header.type === 'file') pack.entry(header, Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
      else pack.entry(header, (err) => (err ? reject(err) : resolve()));
      return;
    }
    const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    body.on('error', reject);
    body.pipe(sink as unknown as NodeJS.WritableStream);
  });
}

/** Streams the layer tar of `upperDir`. */
export function packDiff(upperDir: string, opts: PackDiffOptions = {}): Readable {
  const pack = tar.pack();
  const seenInodes = new Map<string, string>();

  const walk = async (dir: string, rel: string, opaque: Set<string>): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      if (opts.exclude?.(relPath)) continue;
      const st = await lstat(path);
      const base = { uid: st.uid, gid: st.gid, mtime: st.mtime, mode: st.mode & 0o7777 };
      if (st.isCharacterDevice() && st.rdev === 0) {
        await addEntry(pack, { ...base, name: rel ? `${rel}/${WHITEOUT_PREFIX}${name}` : `${WHITEOUT_PREFIX}${name}`, type: 'file', size: 0 });
      } else if (st.isDirectory()) {
        await addEntry(pack, { ...base, name: `${relPath}/`, type: 'directory' });
        if (opaque.has(path)) await addEntry(pack, { ...base, name: `${relPath}/${OPAQUE_WHITEOUT}`, type: 'file', size: 0, mode: 0o644 });
        await walk(path, relPath, opaque);
      } else if (st.isSymbolicLink()) {
        await addEntry(pack, { ...base, name: relPath, type: 'symlink', linkname: await readlink(path) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? seenInodes.get(key) : undefined;
        if (first) { await addEntry(pack, { ...base, name: relPath, type: 'link', linkname: first }); continue; }
        if (st.nlink > 1) seenInodes.set(key, relPath);
        await addEntry(pack, { ...base, name: relPath, type: 'file', size: st.size }, createReadStream(path));
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        await addEntry(pack, { ...base, name: relPath, type: st.isCharacterDevice() ? 'character-device' : 'block-device', ...devNumbers(st.rdev) });
      } else if (st.isFIFO()) {
        await addEntry(pack, { ...base, name: relPath, type: 'fifo' });
      }
      // Sockets are not part of a layer, as in Docker.
    }
  };

  (async () => {
    const opaque = await opaqueDirs(upperDir);
    if (opaque.has(upperDir)) await addEntry(pack, { name: OPAQUE_WHITEOUT, type: 'file', size: 0, mode: 0o644 });
    await walk(upperDir, '', opaque);
    pack.finalize();
  })().catch((err: Error) => pack.destroy(err));
  return pack as unknown as Readable;
}
