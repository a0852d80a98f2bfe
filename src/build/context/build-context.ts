// The build context: the tar the client sent (plain or gzip; or a bare Dockerfile, as `docker build - <
// Dockerfile` sends). On arrival it is only indexed — every file hashed (COPY's cache key: content, mode,
// owner, never mtimes) and the tar kept (in memory, or spooled to disk when large) — so a fully cached
// build writes no files; the first step that copies unpacks it once into a private directory. Nothing in
// the tar can reach outside that directory: names are normalised and a parent that is not a directory of
// the context itself is refused.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rm, symlink, link, chmod, readFile } from 'node:fs/promises';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { invalidArgument } from '../../errors.js';
import { maybeDecompress } from '../../storage/compression.js';
import { IgnoreMatcher, parseDockerignore } from '../../fs/dockerignore.js';

/** Contexts up to this size are held in memory until a step needs their files; larger ones go to a spool file.
 * Zero: always spooled — holding tens of MB of chunks costs more in garbage collection than a sequential write. */
const SPOOL_IN_MEMORY = 0;
/** Files up to this size are kept from the index pass (the Dockerfile and .dockerignore are read from it). */
const SMALL_FILE = 1024 * 1024;

export interface ContextEntry {
  type: 'file' | 'directory' | 'symlink' | 'link';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** sha256 of the content (files), or of the link target. */
  hash: string;
  linkname?: string;
}

export class BuildContext {
  /** Context-relative paths (no leading slash; '' is the root) → what they are. */
  readonly entries = new Map<string, ContextEntry>();
  private ignore = new IgnoreMatcher([]);
  /** The received tar, until unpacked: chunks in memory, or a spool file once past SPOOL_IN_MEMORY. */
  private spool?: { chunks: Buffer[]; size: number; file?: string; out?: WriteStream };
  private unpacked?: Promise<void>;
  /** Contents of small files (Dockerfile, .dockerignore) read during indexing. */
  private readonly small = new Map<string, Buffer>();

  private constructor(readonly dir: string) {
    this.entries.set('', { type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, hash: '' });
  }

  /** Unpacks `body` into `dir` (created; removed by `remove()`). */
  static async receive(body: Readable, dir: string, dockerfileName: string): Promise<BuildContext> {
    const ctx = new BuildContext(dir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const input = await maybeDecompress(body);
    const head = await peek(input);
    const isTar = head.bytes.length >= 262 && head.bytes.subarray(257, 262).toString('latin1') === 'ustar';
    if (!isTar) {
      // Not an archive: the body is the Dockerfile itself (no other context).
      const chunks: Buffer[] = [];
      for await (const c of head.stream) chunks.push(c as Buffer);
      await ctx.writeFile(dockerfileName, Buffer.concat(chunks), 0o644);
      return ctx;
    }
    const spool: NonNullable<BuildContext['spool']> = { chunks: [], size: 0 };
    ctx.spool = spool;
    async function* tee(): AsyncGenerator<Buffer> {
      for await (const c of head.stream) {
        const chunk = c as Buffer;
        spool.size += chunk.length;
        if (!spool.out && spool.size > SPOOL_IN_MEMORY) {
          spool.file = `${dir}.tar`;
          spool.out = createWriteStream(spool.file, { mode: 0o600 });
          for (const held of spool.chunks.splice(0)) if (!spool.out.write(held)) await new Promise<void>((r) => spool.out!.once('drain', () => r()));
        }
        if (spool.out) { if (!spool.out.write(chunk)) await new Promise<void>((r) => spool.out!.once('drain', () => r())); } else spool.chunks.push(chunk);
        yield chunk;
      }
    }
    try {
      await ctx.extract(Readable.from(tee()), false);
    } finally {
      if (spool.out) await new Promise<void>((resolve, reject) => spool.out!.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    return ctx;
  }

  /** Unpacks the received tar into the context directory (once; COPY and ADD call this before reading files). */
  async materialize(): Promise<void> {
    const spool = this.spool;
    if (!spool) return;
    this.unpacked ??= (async () => {
      for (const k of [...this.entries.keys()]) if (k) this.entries.delete(k);
      const input = spool.file ? createReadStream(spool.file) : Readable.from(spool.chunks);
      await this.extract(input, true);
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

  private async ensureParents(rel: string, write: boolean): Promise<void> {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      const e = this.entries.get(p);
      if (e && e.type !== 'directory') throw invalidArgument(`invalid build context: ${JSON.stringify(rel)} is below a non-directory`);
      if (!e) {
        if (write) await mkdir(this.hostPath(p), { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
        this.entries.set(p, { type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, hash: '' });
      }
    }
  }

  /** Reads the tar: with `write`, unpacks it; without, only indexes (hashes, small files kept). */
  private async extract(stream: Readable, write: boolean): Promise<void> {
    const ex = tar.extract();
    stream.on('error', (err) => ex.destroy(err));
    stream.pipe(ex);
    for await (const entry of ex) {
      const h = entry.header;
      const rel = posix.normalize('/' + h.name).replace(/^\/+/, '').replace(/\/+$/, '');
      if (h.name.includes('\0')) throw invalidArgument('invalid build context: NUL in a name');
      if (!rel || rel === '.') { entry.resume(); continue; }
      await this.ensureParents(rel, write);
      const existing = this.entries.get(rel);
      if (existing && !(existing.type === 'directory' && h.type === 'directory')) {
        if (write) await rm(this.hostPath(rel), { recursive: true, force: true });
        for (const k of [...this.entries.keys()]) if (k === rel || k.startsWith(rel + '/')) this.entries.delete(k);
      }
      const mode = (h.mode ?? 0o644) & 0o7777;
      const base = { mode, uid: h.uid ?? 0, gid: h.gid ?? 0 };
      const path = this.hostPath(rel);
      switch (h.type) {
        case 'directory':
          if (!existing && write) await mkdir(path, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
          this.entries.set(rel, { type: 'directory', ...base, size: 0, hash: '' });
          entry.resume();
          break;
        case 'file': case 'contiguous-file': {
          const hash = createHash('sha256');
          if (!write) {
            const keep: Buffer[] = [];
            let n = 0;
            for await (const chunk of entry) { hash.update(chunk as Buffer); n += (chunk as Buffer).length; if (n <= SMALL_FILE) keep.push(chunk as Buffer); }
            if (n <= SMALL_FILE) this.small.set(rel, Buffer.concat(keep)); else this.small.delete(rel);
            this.entries.set(rel, { type: 'file', ...base, size: n, hash: hash.digest('hex') });
            break;
          }
          const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
          let size = 0;
          try {
            // Batched writes: one writev per few MiB instead of a thread-pool round trip per tar chunk.
            let batch: Buffer[] = [];
            let batched = 0;
            for await (const chunk of entry) {
              const c = chunk as Buffer;
              hash.update(c);
              size += c.length;
              batch.push(c);
              batched += c.length;
              if (batched >= 4 << 20) { await fh.writev(batch); batch = []; batched = 0; }
            }
            if (batch.length) await fh.writev(batch);
            await fh.chmod(mode);
            if (h.mtime) await fh.utimes(h.mtime, h.mtime);
          } finally { await fh.close(); }
          this.entries.set(rel, { type: 'file', ...base, size, hash: hash.digest('hex') });
          break;
        }
        case 'symlink':
          if (write) await symlink(h.linkname ?? '', path);
          this.entries.set(rel, { type: 'symlink', ...base, size: 0, hash: createHash('sha256').update(h.linkname ?? '').digest('hex'), linkname: h.linkname ?? '' });
          entry.resume();
          break;
        case 'link': {
          const target = posix.normalize('/' + (h.linkname ?? '')).replace(/^\/+/, '');
          const t = this.entries.get(target);
          if (!t || t.type !== 'file') throw invalidArgument(`invalid build context: hard link ${JSON.stringify(h.name)} to a missing file`);
          if (write) await link(this.hostPath(target), path);
          if (this.small.has(target)) this.small.set(rel, this.small.get(target)!);
          this.entries.set(rel, { ...t });
          entry.resume();
          break;
        }
        default:
          entry.resume(); // devices, fifos: not part of a build context
      }
    }
    // Directory modes last, so a read-only directory does not stop its own extraction.
    if (write) for (const [rel, e] of this.entries) if (rel && e.type === 'directory') await chmod(this.hostPath(rel), e.mode);
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

/** Reads the first 512 bytes (to sniff a tar header) and returns a stream that replays them. */
async function peek(stream: Readable): Promise<{ bytes: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let have = 0;
  const it = stream[Symbol.asyncIterator]();
  let done = false;
  while (have < 512) {
    const r = await it.next();
    if (r.done) { done = true; break; }
    chunks.push(r.value as Buffer);
    have += (r.value as Buffer).length;
  }
  const bytes = Buffer.concat(chunks);
  async function* replay() {
    let total = bytes.length;
    yield bytes;
    if (!done) for (;;) { const r = await it.next(); if (r.done) break; total += (r.value as Buffer).length; yield r.value as Buffer; }
    // Go's tar reader accepts an archive without its end-of-archive blocks (the docker CLI sends such
    // contexts with -f outside the context, even without the last entry's padding); tar-stream does not, so
    // the padding and the blocks are added (extra zero blocks after a complete archive are harmless).
    yield Buffer.alloc(((512 - (total % 512)) % 512) + 1024);
  }
  return { bytes, stream: Readable.from(replay(), { objectMode: false }) };
}
