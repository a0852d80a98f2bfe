// Performs a COPY/ADD inside a step's scratch root with Docker's rules: a directory source copies its
// contents, a file lands inside the destination when that is (or is written as) a directory, missing
// parents are created, everything is owned by root unless --chown (files of another stage keep their
// owners), --chmod overrides modes. Destination paths resolve inside the root (symlinks kept in it); an
// existing entry is replaced, never written through.
import { constants } from 'node:fs';
import { copyFile, lchown, chmod, lstat, mkdir, readdir, readlink, rm, symlink, unlink, utimes, writeFile, lutimes, readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { invalidArgument } from '../errors.js';
import { resolveUserFrom } from '../runtime/user.js';

export interface Owner { uid: number; gid: number }

export interface CopyPlanItem {
  /** Host path of the source (file, dir or symlink). */
  host: string;
  /** Name used when the source lands inside a destination directory. */
  name: string;
  isDir: boolean;
  /** Owner to give; undefined keeps the source's (files of another stage). */
  owner?: Owner;
}

export interface CopyOptions { chmod?: number; owner?: Owner; keepOwner: boolean }

/** Resolves `path` inside `root` (lstat per component, symlinks re-resolved against root, never out of it). */
export async function scoped(root: string, path: string, followLast: boolean): Promise<string[]> {
  const queue = path.split('/');
  const out: string[] = [];
  let links = 0;
  while (queue.length) {
    const c = queue.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') { out.pop(); continue; }
    const last = !queue.some((q) => q !== '' && q !== '.');
    if (last && !followLast) { out.push(c); break; }
    const host = `${root}/${[...out, c].join('/')}`;
    const st = await lstat(host).catch(() => null);
    if (!st || !st.isSymbolicLink()) { out.push(c); continue; }
    if (++links > 255) throw invalidArgument(`too many levels of symbolic links: ${path}`);
    const target = await readlink(host);
    if (target.startsWith('/')) out.length = 0;
    queue.unshift(...target.split('/'));
  }
  return out;
}

export function hostOf(root: string, parts: string[]): string {
  return parts.length ? `${root}/${parts.join('/')}` : root;
}

/** mkdir -p inside the root; created directories get `owner` (Docker gives them the --chown owner). */
export async function mkdirInRoot(root: string, path: string, owner: Owner | undefined, mode = 0o755): Promise<string[]> {
  const parts = await scoped(root, path, true);
  for (let i = 1; i <= parts.length; i++) {
    const host = hostOf(root, parts.slice(0, i));
    const st = await lstat(host).catch(() => null);
    if (st?.isDirectory()) continue;
    if (st) throw invalidArgument(`mkdir ${'/' + parts.slice(0, i).join('/')}: not a directory`);
    await mkdir(host, { mode });
    await chmod(host, mode);
    if (owner) await lchown(host, owner.uid, owner.gid);
  }
  return parts;
}

/** `--chown=user[:group]` against the root's /etc/passwd and /etc/group (numeric IDs need neither). */
export async function resolveChown(root: string, spec: string): Promise<Owner> {
  const [u, g] = spec.split(':', 2);
  const group = g ?? u;
  if (/^\d+$/.test(u) && /^\d+$/.test(group)) return { uid: Number(u), gid: Number(group) };
  const read = async (p: string) => {
    try { return await readFile(hostOf(root, await scoped(root, p, true)), 'utf8'); } catch { return ''; }
  };
  const [passwd, groups] = [await read('/etc/passwd'), await read('/etc/group')];
  try {
    const r = resolveUserFrom(`${u}:${group}`, passwd, groups);
    return { uid: r.uid, gid: r.gid };
  } catch (err) {
    if (g !== undefined) throw invalidArgument(`unable to convert uid/gid chown string to host mapping: ${(err as Error).message}`);
    try { const r = resolveUserFrom(u, passwd, groups); return { uid: r.uid, gid: r.gid }; } catch (e) {
      throw invalidArgument(`unable to convert uid/gid chown string to host mapping: ${(e as Error).message}`);
    }
  }
}

/** Removes whatever is at `host` unless it is a directory and `keepDir`. */
async function clear(host: string, keepDir: boolean): Promise<boolean> {
  const st = await lstat(host).catch(() => null);
  if (!st) return false;
  if (st.isDirectory()) {
    if (keepDir) return true;
    await rm(host, { recursive: true, force: true });
    return false;
  }
  await unlink(host);
  return false;
}

async function applyMeta(host: string, src: { mode: number; uid: number; gid: number; mtime: Date }, opts: CopyOptions, isLink: boolean): Promise<void> {
  const owner = opts.owner ?? (opts.keepOwner ? { uid: src.uid, gid: src.gid } : { uid: 0, gid: 0 });
  await lchown(host, owner.uid, owner.gid);
  if (!isLink) {
    await chmod(host, opts.chmod ?? (src.mode & 0o7777));
    await utimes(host, src.mtime, src.mtime);
  } else await lutimes(host, src.mtime, src.mtime).catch(() => undefined);
}

/** Copies one host entry (recursively for directories) to `dest` (a host path inside the root). */
export async function copyEntry(srcHost: string, dest: string, opts: CopyOptions, filter?: (relUnderSrc: string) => boolean, rel = ''): Promise<void> {
  const st = await lstat(srcHost);
  if (st.isDirectory()) {
    const existed = await clear(dest, true);
    if (!existed) await mkdir(dest, { mode: 0o700 });
    for (const name of (await readdir(srcHost)).sort()) {
      const childRel = rel ? `${rel}/${name}` : name;
      if (filter && !filter(childRel)) continue;
      await copyEntry(`${srcHost}/${name}`, `${dest}/${name}`, opts, filter, childRel);
    }
    if (!existed || rel) await applyMeta(dest, st, opts, false);
    return;
  }
  await clear(dest, false);
  if (st.isSymbolicLink()) {
    await symlink(await readlink(srcHost), dest);
    await applyMeta(dest, st, opts, true);
  } else if (st.isFile()) {
    await copyFile(srcHost, dest, constants.COPYFILE_FICLONE);
    await applyMeta(dest, st, opts, false);
  }
  // Devices, fifos and sockets are not copied (Docker's context never carries them).
}

/** Writes literal content (a heredoc or a downloaded file) at `dest`. */
export async function writeEntry(dest: string, data: Buffer | string, mode: number, owner: Owner, mtime?: Date): Promise<void> {
  await clear(dest, false);
  await writeFile(dest, data, { mode, flag: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW });
  await chmod(dest, mode);
  await lchown(dest, owner.uid, owner.gid);
  if (mtime) await utimes(dest, mtime, mtime);
}

/** Docker's destination: relative to WORKDIR; a trailing slash (or `.`) means "a directory". */
export function destPath(dest: string, workdir: string): { path: string; dirHint: boolean } {
  const dirHint = dest.endsWith('/') || dest === '.' || dest.endsWith('/.');
  const abs = dest.startsWith('/') ? dest : posix.join(workdir || '/', dest);
  const path = posix.normalize(abs);
  return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, dirHint };
}
