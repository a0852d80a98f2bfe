// The build context: the body the client sent (a tar, plain or gzip; or a bare Dockerfile, as `docker build -
// < Dockerfile` sends). While it arrives it is indexed in the indexer worker — every file hashed (COPY's cache
// key: content, mode, owner, never mtimes) — and its bytes are held (in memory, or spooled to disk when
// large), so a fully cached build writes no files and hashes off the event loop; the first step that copies
// unpacks it once into a private directory. Nothing in the tar can reach outside that directory: names are
// normalised and a parent that is not a directory of the context itself is refused (src/build/context/tar-walk.ts).
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rm, symlink, link, chmod, readFile } from 'node:fs/promises';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { IgnoreMatcher, parseDockerignore } from '../../fs/dockerignore.js';
import type { ContextIndexer } from './indexer.js';
import { contextTar, newEntries, walkTar, type ContextEntry } from './tar-walk.js';

export type { ContextEntry } from './tar-walk.js';

/** Bodies up to this size are held in memory until a step needs their files; larger ones go to a spool file. */
const HOLD_IN_MEMORY = 64 << 20;

export class BuildContext {
  /** Context-relative paths (no leading slash; '' is the root) → what they are. */
  readonly entries = newEntries();
  private ignore = new IgnoreMatcher([]);
  /** The received body, until unpacked: chunks in memory, or a spool file once past HOLD_IN_MEMORY. */
  private spool?: { chunks: Buffer[]; size: number; file?: string; out?: WriteStream };
  private unpacked?: Promise<void>;
  /** Contents of the small files the build reads first (Dockerfile, .dockerignore), from the index pass. */
  private readonly small = new Map<string, Buffer>();

  private constructor(readonly dir: string) {}

  /** Receives and indexes `body`; `dir` (created; removed by `remove()`) is where it unpacks when needed. */
  static async receive(body: Readable, dir: string, dockerfileName: string, indexer: ContextIndexer): Promise<BuildContext> {
    const ctx = new BuildContext(dir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const wanted = [dockerfileName, 'dockerfile', '.dockerignore', `${dockerfileName}.dockerignore`];
    const job = indexer.start(wanted);
    const spool: NonNullable<BuildContext['spool']> = { chunks: [], size: 0 };
    ctx.spool = spool;
    const write = async (out: WriteStream, chunk: Buffer) => {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    };
    let index;
    try {
      for await (const c of body) {
        const chunk = c as Buffer;
        spool.size += chunk.length;
        if (!spool.out && spool.size > HOLD_IN_MEMORY) {
          spool.file = `${dir}.tar`;
          spool.out = createWriteStream(spool.file, { mode: 0o600 });
          for (const held of spool.chunks.splice(0)) await write(spool.out, held);
        }
        if (spool.out) await write(spool.out, chunk); else spool.chunks.push(chunk);
        await job.push(chunk);
      }
      index = await job.end();
    } catch (err) {
      job.abort();
      throw err;
    } finally {
      if (spool.out) await new Promise<void>((resolve, reject) => spool.out!.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    if (index.bare) {
      // Not an archive: the body is the Dockerfile itself (no other context).
      ctx.spool = undefined;
      await ctx.writeFile(dockerfileName, Buffer.from(index.bare), 0o644);
      return ctx;
    }
    for (const [rel, e] of index.entries) ctx.entries.set(rel, e);
    for (const [rel, data] of index.small) ctx.small.set(rel, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return ctx;
  }

  /** Unpacks the received tar into the context directory (once; COPY and ADD call this before reading files). */
  async materialize(): Promise<void> {
    const spool = this.spool;
    if (!spool) return;
    this.unpacked ??= (async () => {
      const input = await contextTar(spool.file ? createReadStream(spool.file) : Readable.from(spool.chunks));
      if ('tar' in input) await this.unpack(input.tar);
      spool.chunks = [];
      if (spool.file) await rm(spool.file, { force: true });
    })();
    await this.unpacked;
  }

  private async writeFile(rel: string, data: Buffer, mode: number): Promise<void> {
    const fh = await open(this.hostPath(rel), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
    try { await fh.write(data); await fh.chmod(mode); } finally { await fh.close(); }
    this.entries.set(rel, { type: 'file', mode, uid: 0, gid: 0, size: data.length, hash: createHash('sha256').update(data).digest('hex') });
  }

  hostPath(rel: string): string { return rel ? `${this.dir}/${rel}` : this.dir; }

  /** The unpack pass: the same walk as the index pass (so the same entries), writing each one. */
  private async unpack(tar: Readable): Promise<void> {
    const mkdirOnce = (path: string) => mkdir(path, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
    await walkTar(tar, newEntries(), {
      directory: async (rel, _implicit, exists) => { if (!exists) await mkdirOnce(this.hostPath(rel)); },
      replace: async (rel) => { await rm(this.hostPath(rel), { recursive: true, force: true }); },
      file: async (rel, owned, content, mtime) => {
        const fh = await open(this.hostPath(rel), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        let size = 0;
        try {
          // Batched writes: one writev per few MiB instead of a thread-pool round trip per tar chunk.
          let batch: Buffer[] = [];
          let batched = 0;
          for await (const c of content) {
            size += c.length;
            batch.push(c);
            batched += c.length;
            if (batched >= 4 << 20) { await fh.writev(batch); batch = []; batched = 0; }
          }
          if (batch.length) await fh.writev(batch);
          await fh.chmod(owned.mode);
          if (mtime) await fh.utimes(mtime, mtime);
        } finally { await fh.close(); }
        return { size, hash: '' };
      },
      symlink: async (rel, target) => { await symlink(target, this.hostPath(rel)); return ''; },
      hardlink: async (rel, target) => { await link(this.hostPath(target), this.hostPath(rel)); },
    });
    // Directory modes last, so a read-only directory does not stop its own extraction.
    for (const [rel, e] of this.entries) if (rel && e.type === 'directory') await chmod(this.hostPath(rel), e.mode);
  }

  /** Applies `.dockerignore` (or `<dockerfile>.dockerignore` beside the Dockerfile, which wins). */
  async applyIgnore(dockerfile: string): Promise<void> {
    const own = `${dockerfile}.dockerignore`;
    const which = this.entries.get(own)?.type === 'file' ? own : this.entries.get('.dockerignore')?.type === 'file' ? '.dockerignore' : undefined;
    if (!which) return;
    this.ignore = new IgnoreMatcher(parseDockerignore((await this.readText(which)) ?? ''));
  }

  /** A context path as COPY sees it: present and not excluded by .dockerignore. */
  visible(rel: string): ContextEntry | undefined {
    const e = this.entries.get(rel);
    if (!e) return undefined;
    if (rel && this.ignore.ignores(rel)) {
      // An excluded directory still shows when an exception keeps something below it.
      if (e.type !== 'directory' || !this.ignore.hasExceptions || !this.below(rel).some(([p]) => !this.ignore.ignores(p))) return undefined;
    }
    return e;
  }

  /** Visible entries under a directory (recursive), sorted by path. */
  below(dir: string): Array<[string, ContextEntry]> {
    const prefix = dir ? dir + '/' : '';
    const out: Array<[string, ContextEntry]> = [];
    for (const [p, e] of this.entries) if (p && p.startsWith(prefix) && p !== dir) out.push([p, e]);
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  visibleBelow(dir: string): Array<[string, ContextEntry]> {
    return this.below(dir).filter(([p, e]) => !this.ignore.ignores(p) || (e.type === 'directory' && this.visible(p) !== undefined));
  }

  async readText(rel: string): Promise<string | undefined> {
    const e = this.entries.get(rel);
    if (!e || e.type !== 'file') return undefined;
    const held = this.small.get(rel);
    if (held) return held.toString('utf8');
    await this.materialize();
    return await readFile(this.hostPath(rel), 'utf8');
  }

  async remove(): Promise<void> {
    if (this.spool) this.spool.chunks = [];
    await rm(this.dir, { recursive: true, force: true });
    await rm(`${this.dir}.tar`, { force: true });
  }
}
