// The client half of `berth build`: the context directory as a tar stream, with `.dockerignore` (or
// `<Dockerfile>.dockerignore`) applied here as the docker CLI does, owners reset to root, and a Dockerfile
// outside the context added under a private name (the daemon is told that name).
import { lstatSync, readdirSync, readFileSync, readlinkSync, existsSync, createReadStream } from 'node:fs';
import { join, relative, resolve, sep, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { IgnoreMatcher, parseDockerignore } from '../../fs/dockerignore.js';

export interface PackedContext { tar: Readable; dockerfile: string }

export function packContext(contextDir: string, dockerfileFlag: string | undefined): PackedContext {
  const root = resolve(contextDir);
  const dfHost = dockerfileFlag ? resolve(dockerfileFlag) : join(root, 'Dockerfile');
  if (!existsSync(dfHost)) throw new Error(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${dfHost}: no such file or directory`);
  const inside = dfHost.startsWith(root + sep);
  const dockerfile = inside ? relative(root, dfHost).split(sep).join('/') : `.dockerfile.${randomBytes(10).toString('hex')}`;
  const ignoreFile = existsSync(`${dfHost}.dockerignore`) ? `${dfHost}.dockerignore` : join(root, '.dockerignore');
  const matcher = new IgnoreMatcher(existsSync(ignoreFile) ? parseDockerignore(readFileSync(ignoreFile, 'utf8')) : []);
  const pack = tar.pack();
  const files: Array<{ rel: string; host: string }> = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const host = join(dir, name);
      const st = lstatSync(host);
      const keep = !matcher.ignores(r) || r === dockerfile || r === '.dockerignore';
      if (st.isDirectory()) {
        if (keep) files.push({ rel: r, host });
        if (keep || matcher.hasExceptions) walk(host, r);
      } else if (keep) files.push({ rel: r, host });
    }
  };
  walk(root, '');
  void (async () => {
    const add = (header: Parameters<typeof pack.entry>[0], body?: Readable) => new Promise<void>((res, rej) => {
      if (!body) { pack.entry(header, (err) => (err ? rej(err) : res())); return; }
      const sink = pack.entry(header, (err) => (err ? rej(err) : res()));
      body.on('error', rej);
      body.pipe(sink as unknown as NodeJS.WritableStream);
    });
    for (const f of files) {
      const st = lstatSync(f.host);
      const base = { name: f.rel, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
      if (st.isDirectory()) await add({ ...base, name: `${f.rel}/`, type: 'directory' });
      else if (st.isSymbolicLink()) await add({ ...base, type: 'symlink', linkname: readlinkSync(f.host) });
      else if (st.isFile()) await add({ ...base, type: 'file', size: st.size }, createReadStream(f.host));
    }
    if (!inside) {
      const data = readFileSync(dfHost);
      await add({ name: dockerfile, mode: 0o644, size: data.length, type: 'file', uid: 0, gid: 0 }, (await import('node:stream')).Readable.from([data]));
      if (existsSync(`${dfHost}.dockerignore`)) {
        const ign = readFileSync(`${dfHost}.dockerignore`);
        await add({ name: `${dockerfile}.dockerignore`, mode: 0o644, size: ign.length, type: 'file', uid: 0, gid: 0 }, (await import('node:stream')).Readable.from([ign]));
      }
    }
    pack.finalize();
  })().catch((err: Error) => pack.destroy(err));
  void basename;
  return { tar: pack as unknown as Readable, dockerfile };
}
