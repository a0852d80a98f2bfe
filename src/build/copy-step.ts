// COPY and ADD: sources resolved and hashed first (the cache probe needs no file work), then copied into a
// scratch root over the parent's layers; sources of another stage or image are read from a read-only mount
// of that image. ADD extracts local tar archives (plain, gzip, bzip2, xz) and fetches URLs.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { invalidArgument } from '../errors.js';
import type { ImageRecord } from '../model/image.js';
import { applyTar } from '../storage/tar-apply.js';
import { maybeDecompress } from '../storage/compression.js';
import type { Env } from './parser/shell-words.js';
import { expandWord } from './parser/shell-words.js';
import type { Instruction, Located } from './parser/instructions.js';
import { cloneConfig, nopCmdString, type RunConfig } from './run-config.js';
import { ScratchRoot } from './scratch-root.js';
import { contentHash, contextSourceHash, hasWildcard, imageSourceHash, resolveContextSources, type ContextSource } from './copy-sources.js';
import { copyEntry, destPath, hostOf, mkdirInRoot, resolveChown, scoped, writeEntry, type CopyOptions, type Owner } from './copy-files.js';
import type { StageEnv } from './stage-env.js';

export interface CopyHooks {
  config: RunConfig;
  vars: Env;
  image?: ImageRecord;
  probe(p: RunConfig): Promise<boolean>;
  commit(p: RunConfig, layer: Readable | undefined): Promise<void>;
}

type CopyIns = Extract<Instruction, { kind: 'copy' | 'add' }> & Located;

interface Planned { kind: 'context'; src: ContextSource }
interface PlannedImage { kind: 'image'; path: string }
interface PlannedData { kind: 'data'; name: string; data: Buffer; mode: number; mtime?: Date }
type Item = Planned | PlannedImage | PlannedData;

async function download(url: string, cmd: string): Promise<{ data: Buffer; name: string; mtime?: Date }> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    throw invalidArgument(`${cmd} failed: Get "${url}": ${cause}`);
  }
  if (!res.ok) throw invalidArgument(`${cmd} failed: Get "${url}": unexpected status ${res.status} ${res.statusText}`.trimEnd());
  const data = Buffer.from(await res.arrayBuffer());
  const name = posix.basename(new URL(url).pathname) || 'index.html';
  const lm = res.headers.get('last-modified');
  return { data, name, mtime: lm ? new Date(lm) : undefined };
}

async function archiveKind(path: string): Promise<'tar' | 'gzip' | 'bzip2' | 'xz' | undefined> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    const b = buf.subarray(0, bytesRead);
    if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (b.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
    if (b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
    if (bytesRead >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
    return undefined;
  } finally { await fh.close(); }
}

async function archiveStream(path: string, kind: 'tar' | 'gzip' | 'bzip2' | 'xz'): Promise<Readable> {
  if (kind === 'tar' || kind === 'gzip') return await maybeDecompress(createReadStream(path));
  const p = spawn(kind === 'xz' ? 'xz' : 'bzip2', ['-dc', path], { stdio: ['ignore', 'pipe', 'ignore'] });
  return p.stdout;
}

export async function copyStep(env: StageEnv, stageIndex: number, ins: CopyIns, hooks: CopyHooks): Promise<void> {
  const cmd = ins.kind.toUpperCase();
  const esc = env.escape;
  const x = (s: string) => expandWord(s, hooks.vars, esc);
  const sources = ins.sources.map(x);
  const destRaw = x(ins.dest);
  const chown = ins.chown === undefined ? undefined : x(ins.chown);
  let chmod: number | undefined;
  if (ins.chmod !== undefined) {
    const c = x(ins.chmod);
    if (!/^[0-7]{3,4}$/.test(c)) throw invalidArgument(`invalid chmod parameter: ${c}`);
    chmod = parseInt(c, 8);
  }
  const heredocs = new Map(ins.heredocs.map((h) => [h.name, h]));
  const items: Item[] = [];
  let hash: string;
  let fromImage: ImageRecord | undefined;
  if (ins.from !== undefined) {
    const ref = x(ins.from);
    const stage = env.stageImage(ref, stageIndex);
    if (stage) fromImage = await stage;
    else {
      try { fromImage = env.leaseImage(ref); } catch {
        throw invalidArgument(`invalid from flag value ${ref}: pull access denied for ${ref}, repository does not exist or may require 'docker login'`);
      }
    }
    if (!fromImage) throw invalidArgument(`invalid from flag value ${ref}: the stage has no image`);
    for (const s of sources) items.push({ kind: 'image', path: s.startsWith('/') ? s : `/${s}` });
    hash = imageSourceHash(fromImage.id, sources);
  } else {
    const hashes: string[] = [];
    const ctxSources: string[] = [];
    for (const s of sources) {
      const hd = s.startsWith('<<') ? heredocs.get(s.replace(/^<<-?["']?|["']$/g, '')) : undefined;
      if (hd) {
        // Expansion only: quotes and backslashes in a heredoc are plain text.
        const data = Buffer.from(hd.expand ? expandWord(hd.content.replace(/["'\\]/g, '\\$&'), hooks.vars, '\\') : hd.content);
        items.push({ kind: 'data', name: hd.name, data, mode: 0o644 });
        hashes.push(contentHash('file', data));
      } else if (/^https?:\/\//i.test(s)) {
        if (ins.kind === 'copy') throw invalidArgument(`${cmd} failed: source can't be a URL for COPY`);
        const dl = await download(s, cmd);
        items.push({ kind: 'data', name: dl.name, data: dl.data, mode: 0o600, mtime: dl.mtime });
        hashes.push(contentHash('file', dl.data));
      } else ctxSources.push(s);
    }
    if (ctxSources.length) {
      const resolved = resolveContextSources(env.context, ctxSources, cmd);
      for (const r of resolved) items.push({ kind: 'context', src: r });
      hashes.push(contextSourceHash(env.context, resolved));
    }
    hash = hashes.length === 1 ? hashes[0] : contentHash('multi', hashes.join(','));
  }
  const workdir = hooks.config.WorkingDir || '/';
  const { path: dest, dirHint } = destPath(destRaw, workdir);
  const destShown = dest + (dirHint && dest !== '/' ? '/' : '');
  const many = items.length > 1 || sources.some(hasWildcard);
  if (items.length > 1 && !dirHint) throw invalidArgument(`When using ${cmd} with more than one source file, the destination must be a directory and end with a /`);
  const flagsText = `${chown !== undefined ? `--chown=${chown}` : ''}${chmod !== undefined ? `--chmod=${ins.chmod}` : ''}`;
  const probe = cloneConfig(hooks.config);
  probe.Cmd = nopCmdString(hooks.config, `${cmd} ${flagsText}${hash} in ${destShown} `);
  if (await hooks.probe(probe)) return;

  if (items.some((i) => i.kind === 'context')) await env.context.materialize();
  const root = await ScratchRoot.open(env.tmpRoot, hooks.image ? await env.images.layerDirs(hooks.image) : []);
  let srcRoot: ScratchRoot | undefined;
  const scratch: string[] = [];
  try {
    let owner: Owner | undefined;
    if (chown !== undefined) owner = await resolveChown(root.merged, chown);
    const opts: CopyOptions = { chmod, owner, keepOwner: false };
    const destParts = await scoped(root.merged, dest, true);
    const destHost = hostOf(root.merged, destParts);
    const destSt = await lstat(destHost).catch(() => null);
    const intoDir = dirHint || many || !!destSt?.isDirectory();
    const ensureDestDir = async () => { await mkdirInRoot(root.merged, dest, owner); };
    const fileTarget = async (name: string) => {
      if (intoDir) { await ensureDestDir(); return `${destHost}/${name}`; }
      await mkdirInRoot(root.merged, posix.dirname(dest), owner);
      return hostOf(root.merged, await scoped(root.merged, dest, false));
    };
    if (fromImage) srcRoot = await ScratchRoot.open(env.tmpRoot, await env.images.layerDirs(fromImage));
    for (const item of items) {
      if (item.kind === 'data') {
        await writeEntry(await fileTarget(item.name), item.data, chmod ?? item.mode, owner ?? { uid: 0, gid: 0 }, item.mtime);
        continue;
      }
      if (item.kind === 'image') {
        const parts = await scoped(srcRoot!.merged, item.path, true);
        const host = hostOf(srcRoot!.merged, parts);
        const st = await lstat(host).catch(() => null);
        if (!st) throw invalidArgument(`${cmd} failed: stat ${item.path}: file does not exist`);
        const o: CopyOptions = { chmod, owner, keepOwner: true };
        if (st.isDirectory()) { await ensureDestDir(); await copyEntry(host, destHost, o); } else await copyEntry(host, await fileTarget(posix.basename(item.path)), o);
        continue;
      }
      const { src } = item;
      const host = env.context.hostPath(src.rel);
      if (src.entry.type === 'directory') {
        await ensureDestDir();
        await copyEntry(host, destHost, opts, (rel) => env.context.visible(src.rel ? `${src.rel}/${rel}` : rel) !== undefined);
        continue;
      }
      const kind = ins.kind === 'add' && src.entry.type === 'file' ? await archiveKind(host) : undefined;
      if (kind) {
        // A local archive: unpacked with the layer code's containment rules, then copied in like a directory.
        const tmp = `${env.tmpRoot}/add-${randomBytes(6).toString('hex')}`;
        scratch.push(tmp);
        await mkdir(tmp, { recursive: true, mode: 0o700 });
        await applyTar(await archiveStream(host, kind), tmp);
        await ensureDestDir();
        for (const name of (await readdir(tmp)).sort()) await copyEntry(`${tmp}/${name}`, `${destHost}/${name}`, { chmod, owner, keepOwner: true });
        continue;
      }
      await copyEntry(host, await fileTarget(posix.basename(src.rel)), opts);
    }
    if (srcRoot) { await srcRoot.close(); srcRoot = undefined; }
    await hooks.commit(probe, await root.finish());
  } finally {
    await srcRoot?.close();
    await root.close();
    for (const d of scratch) await rm(d, { recursive: true, force: true });
  }
}
