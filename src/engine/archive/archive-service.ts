// docker cp (stat, get, put), diff and export for a container, running or stopped. Every path the client
// names is resolved inside the container's root (scoped-path.ts), so nothing outside it is read or written.
import { lstat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { forbidden, invalidArgument, notFound, notImplemented } from '../../errors.js';
import { fromHost, type IdMapping } from '../../runtime/userns/remap.js';
import type { ContainerService } from '../containers/container-service.js';
import type { ContainerRecord } from '../../model/container.js';
import { resolveUser } from '../../runtime/user.js';
import { withContainerRoot } from './container-root.js';
import { containerChanges, type Change } from './changes.js';
import { extractInto } from '../../fs/tar-extract.js';
import { packTree } from '../../fs/tar-pack.js';
import { goBase, goFileMode, type PathStat } from '../../fs/path-stat.js';
import { joinRoot, scopedParts } from '../../fs/resolve-in-root.js';

/** Docker keeps a trailing "/" or "/." of the request: it means "follow" and "the contents of". */
function wantsFollow(path: string): boolean {
  return path.endsWith('/') || path.endsWith('/.');
}

function absPath(path: string): string {
  if (!path) throw invalidArgument('path cannot be empty');
  return path.startsWith('/') ? path : `/${path}`;
}

export class ArchiveService {
  constructor(private readonly containers: ContainerService) {}

  private notFoundIn(rec: ContainerRecord, path: string) {
    return notFound(`Could not find the file ${path} in container ${rec.Name.slice(1)}`);
  }

  private async statIn(root: string, rec: ContainerRecord, path: string): Promise<{ host: string; parts: string[]; stat: PathStat }> {
    const abs = absPath(path);
    const parts = await scopedParts(root, abs, wantsFollow(abs));
    const host = joinRoot(root, parts);
    const st = await lstat(host).catch(() => null);
    if (!st) throw this.notFoundIn(rec, path);
    let linkTarget = '';
    if (st.isSymbolicLink()) linkTarget = '/' + (await scopedParts(root, abs, true)).join('/');
    return { host, parts, stat: { name: goBase(abs), size: st.size, mode: goFileMode(st), mtime: st.mtime.toISOString(), linkTarget } };
  }

  async stat(ref: string, path: string): Promise<PathStat> {
    const rec = this.containers.resolve(ref);
    return withContainerRoot(this.containers, rec, async (root) => (await this.statIn(root, rec, path)).stat);
  }

  /**
   * The tar of a path, its stat, and `release` to call when the stream is done (a stopped container's
   * root stays mounted until then).
   */
  async get(ref: string, path: string): Promise<{ stat: PathStat; tar: Readable }> {
    const rec = this.containers.resolve(ref);
    return new Promise((resolve, reject) => {
      void withContainerRoot(this.containers, rec, async (root, userns) => {
        const { host, parts, stat } = await this.statIn(root, rec, path);
        // The kernel's own filesystems are mounted in a running container, not part of it (as in Docker).
        const skip = new Set(['proc', 'sys'].map((d) => joinRoot(root, [d])));
        const tar = packTree(host, { rebaseName: parts.length ? goBase(absPath(path)) : '.', skipDirs: skip, ...ownerShift(userns) });
        resolve({ stat, tar });
        await new Promise<void>((done) => { tar.on('end', done); tar.on('close', done); tar.on('error', () => done()); });
      }).catch(reject);
    });
  }

  async put(ref: string, path: string, body: Readable, opts: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }): Promise<void> {
    const rec = this.containers.resolve(ref);
    if (rec.HostConfig.ReadonlyRootfs) throw forbidden('container rootfs is marked read-only');
    await withContainerRoot(this.containers, rec, async (root, userns) => {
      // berthd writes as host root, which has no id in the container's user namespace (EOVERFLOW).
      if (userns) throw notImplemented('copying into a running container in a user namespace is not supported yet: stop it first (a stopped container takes the copy)');
      const abs = absPath(path);
      const parts = await scopedParts(root, abs, true);
      const st = await lstat(joinRoot(root, parts)).catch(() => null);
      if (!st) throw this.notFoundIn(rec, path);
      if (!st.isDirectory()) throw invalidArgument('extraction point is not a directory');
      let chownTo: { uid: number; gid: number } | undefined;
      if (opts.copyUIDGID && rec.Config.User) {
        const u = await resolveUser(root, rec.Config.User);
        chownTo = { uid: u.uid, gid: u.gid };
      }
      await extractInto(root, '/' + parts.join('/'), body, { noOverwriteDirNonDir: opts.noOverwriteDirNonDir, chownTo });
    });
  }

  async changes(ref: string): Promise<Change[]> {
    const rec = this.containers.resolve(ref);
    return containerChanges(this.containers.paths.upper(rec.Id), rec.LayerDirs);
  }

  /** The whole filesystem (mount points as empty entries), streamed; the root is released at the end. */
  async export(ref: string): Promise<Readable> {
    const rec = this.containers.resolve(ref);
    return new Promise((resolve, reject) => {
      void withContainerRoot(this.containers, rec, async (root, userns) => {
        const tar = packTree(joinRoot(root, []), { rebaseName: '', oneFileSystem: true, ...ownerShift(userns) });
        resolve(tar);
        await new Promise<void>((done) => { tar.on('end', done); tar.on('close', done); tar.on('error', () => done()); });
      }).catch(reject);
    });
  }
}

/** Tar owners as the container knows them, for a root seen through its user namespace's (host) ids. */
function ownerShift(userns: IdMapping | undefined): { ownerOf?: (uid: number, gid: number) => { uid: number; gid: number } } {
  if (!userns) return {};
  return { ownerOf: (uid, gid) => ({ uid: fromHost(userns.uids, uid), gid: fromHost(userns.gids, gid) }) };
}
