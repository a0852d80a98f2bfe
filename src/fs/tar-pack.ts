// Packs a file or directory tree into a tar stream without ever following a symlink: entries are walked
// with lstat, files opened with O_NOFOLLOW and read for exactly the size lstat gave (a file that grows
// or shrinks meanwhile cannot corrupt the stream). Hard links within the tree become link entries.
// With `oneFileSystem`, mount points are kept as empty entries and never descended (export).
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import tar, { type Pack } from 'tar-stream';

type Headers = Parameters<Pack['entry']>[0];

export interface PackOptions {
  /** Name of the top entry in the tar (`""` puts the tree's children at the top, as export does). */
  rebaseName: string;
  oneFileSystem?: boolean;
  /** Host paths of directories kept as empty entries (not descended). */
  skipDirs?: Set<string>;
  /** The owner the tar records for a file's host ids (a container in a user namespace: its own ids). */
  ownerOf?: (uid: number, gid: number) => { uid: number; gid: number };
}

/** "/proc/N/root/." names the directory behind the magic link; "/proc/N/root" itself is the link. */
function walkRootOf(hostPath: string): string {
  return hostPath.endsWith('/.') ? hostPath.slice(0, -2) + '/' : hostPath;
}

function devNumbers(rdev: number): { devmajor: number; devminor: number } {
  return { devmajor: Math.floor(rdev / 256) & 0xfff, devminor: (rdev & 0xff) | ((Math.floor(rdev / 4096) & 0xfff00)) };
}

function addEntry(pack: Pack, header: Headers): Promise<void> {
  // A file entry without content must still be given its (empty) body, or the pack waits forever.
  return new Promise((resolve, reject) => {
    if (header.type === 'file') pack.entry({ ...header, size: 0 }, Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    else pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
}

async function addFile(pack: Pack, header: Headers, path: string, size: number): Promise<void> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry({ ...header, size }, (err) => (err ? reject(err) : resolve()));
      void (async () => {
        let left = size;
        const buf = Buffer.alloc(Math.min(size, 256 * 1024) || 1);
        while (left > 0) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, left), null);
          const chunk = bytesRead > 0 ? Buffer.from(buf.subarray(0, bytesRead)) : Buffer.alloc(Math.min(buf.length, left)); // shrunk: pad
          left -= chunk.length;
          if (!sink.write(chunk)) await new Promise<void>((r) => sink.once('drain', () => r()));
        }
        (sink as unknown as { end(): void }).end();
      })().catch(reject);
    });
  } finally {
    await fh.close();
  }
}

export function packTree(hostPath: string, opts: PackOptions): Readable {
  const pack = tar.pack();
  const links = new Map<string, string>();
  let rootDev = -1;
  const ownerOf = opts.ownerOf ?? ((uid: number, gid: number) => ({ uid, gid }));
  const headerOf = (name: string, st: Stats): Headers => ({ name, mode: st.mode & 0o7777, ...ownerOf(st.uid, st.gid), mtime: st.mtime, size: 0 });
  const walk = async (path: string, name: string, st: Stats): Promise<void> => {
    const base = headerOf(name, st);
    const foreign = opts.oneFileSystem && rootDev >= 0 && st.dev !== rootDev;
    if (st.isDirectory()) {
      if (name) await addEntry(pack, { ...base, name: `${name}/`, type: 'directory' });
      if (foreign || opts.skipDirs?.has(path)) return;
      for (const child of (await readdir(path)).sort()) {
        const childPath = path.endsWith('/') ? `${path}${child}` : `${path}/${child}`;
        const cst = await lstat(childPath).catch(() => null);
        if (cst) await walk(childPath, name ? `${name}/${child}` : child, cst);
      }
    } else if (st.isSymbolicLink()) {
      await addEntry(pack, { ...base, type: 'symlink', linkname: await readlink(path) });
    } else if (st.isFile()) {
      if (foreign) { await addEntry(pack, { ...base, type: 'file' }); return; }
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? links.get(key) : undefined;
      if (first) { await addEntry(pack, { ...base, type: 'link', linkname: first }); return; }
      if (st.nlink > 1) links.set(key, name);
      await addFile(pack, { ...base, type: 'file' }, path, st.size);
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      await addEntry(pack, { ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', ...devNumbers(st.rdev) });
    } else if (st.isFIFO()) {
      await addEntry(pack, { ...base, type: 'fifo' });
    }
    // Sockets are skipped, as Go's archive/tar does.
  };
  void (async () => {
    const st = await lstat(hostPath);
    rootDev = st.dev;
    // Children of "<root>/." are named from "<root>" (skipDirs holds such plain paths).
    const rootPath = walkRootOf(hostPath);
    await walk(rootPath, opts.rebaseName, st);
    pack.finalize();
  })().catch((err: Error) => pack.destroy(err));
  return pack as unknown as Readable;
}
