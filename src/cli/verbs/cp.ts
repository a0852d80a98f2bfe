// `berth cp`: files between a container and the host, through the archive endpoints as docker does:
// HEAD the destination in the container to choose where to extract, PUT a tar of the source; or GET
// the source's tar and extract it under the host destination (never outside it). `-` is a tar on
// stdin/stdout.
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { VerbSpec } from '../command.js';
import { ExitError } from '../command.js';
import { DaemonError } from '../../client/errors.js';
import { extractInto } from '../../fs/tar-extract.js';
import { packTree } from '../../fs/tar-pack.js';
import { isGoDir, type PathStat } from '../../fs/path-stat.js';

const enc = encodeURIComponent;

/** `ctr:/path` → container and path; a host path (or `-`) → undefined. */
function splitRef(arg: string): { container: string; path: string } | undefined {
  if (arg.startsWith('/') || arg.startsWith('.') || arg === '-') return undefined;
  const i = arg.indexOf(':');
  return i > 0 ? { container: arg.slice(0, i), path: arg.slice(i + 1) } : undefined;
}

const contentsOnly = (p: string) => p.endsWith('/.');

export const cpVerb: VerbSpec = {
  usage: 'cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tcp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  summary: 'Copy files/folders between a container and the local filesystem',
  aliases: ['container cp', 'cp'],
  flags: [
    { long: 'archive', short: 'a', kind: 'bool', help: 'Archive mode (copy all uid/gid information)' },
    { long: 'follow-link', short: 'L', kind: 'bool', help: 'Always follow symbol link in SRC_PATH' },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Suppress progress output during copy' },
  ],
  args: { exact: 2 },
  async run(ctx, flags) {
    const [srcArg, dstArg] = flags.args;
    const src = splitRef(srcArg);
    const dst = splitRef(dstArg);
    if (src && dst) throw new ExitError('copying between containers is not supported', 1);
    if (!src && !dst) throw new ExitError('must specify at least one container source', 1);
    const t = ctx.client().transport;
    if (src) {
      const res = await t.request({ method: 'GET', path: `/containers/${enc(src.container)}/archive`, query: { path: src.path } });
      if (dstArg === '-') { await pipeline(res, ctx.stdout); return 0; }
      const stat = JSON.parse(Buffer.from(String(res.headers['x-docker-container-path-stat'] ?? ''), 'base64').toString() || '{}') as PathStat;
      await extractToHost(res, resolve(dstArg), stat, contentsOnly(src.path));
      return 0;
    }
    const target = dst!;
    const chown = flags.bool('archive');
    const query = (path: string) => ({ path, noOverwriteDirNonDir: true, copyUIDGID: chown });
    if (srcArg === '-') {
      await t.text({ method: 'PUT', path: `/containers/${enc(target.container)}/archive`, query: query(target.path), body: ctx.stdin as Readable });
      return 0;
    }
    const local = resolve(srcArg);
    if (!existsSync(local)) throw new ExitError(`lstat ${local}: no such file or directory`, 1);
    const destIsDir = await t.request({ method: 'HEAD', path: `/containers/${enc(target.container)}/archive`, query: { path: target.path } })
      .then((r) => { r.resume(); return isGoDir((JSON.parse(Buffer.from(String(r.headers['x-docker-container-path-stat'] ?? ''), 'base64').toString() || '{"mode":0}') as PathStat).mode); })
      .catch((err) => { if (err instanceof DaemonError && err.status === 404) return undefined; throw err; });
    // Into an existing directory under the source's name (or its contents with /.); else as the new name.
    const [dir, name] = destIsDir ? [target.path, contentsOnly(srcArg) ? '.' : basename(local)] : [dirname(target.path) || '/', basename(target.path)];
    const tar = packTree(local, { rebaseName: name });
    await t.text({ method: 'PUT', path: `/containers/${enc(target.container)}/archive`, query: query(dir), body: tar });
    return 0;
  },
};

/** Extracts a container's tar at `dest`: into it when it is a directory, else renamed to it. */
async function extractToHost(tar: Readable, dest: string, stat: PathStat, contents: boolean): Promise<void> {
  const opts = { noOverwriteDirNonDir: false };
  const destIsDir = existsSync(dest) && statSync(dest).isDirectory();
  if (destIsDir || contents) {
    await mkdir(dest, { recursive: true });
    await extractInto(dest, '/', tar, opts);
    return;
  }
  const tmp = await mkdtemp(join(dirname(dest), '.berth-cp-'));
  try {
    await extractInto(tmp, '/', tar, opts);
    await rename(join(tmp, stat.name), dest);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
