// A private registry on 127.0.0.1 for the pull workload: Debian's docker-registry (CNCF distribution)
// with storage under the run's scratch directory, and a ~250 MB, 5-layer image pushed to it straight
// through the registry HTTP API (random, incompressible layers made here; no engine involved, so
// neither engine gets a head start from having built it).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, openSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import http from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { sleep } from './proc.js';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface Registry { addr: string; child: ChildProcess; stop(): Promise<void> }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const port = (s.address() as { port: number }).port; s.close(() => resolve(port)); });
  });
}

interface HttpResult { status: number; headers: http.IncomingHttpHeaders; body: string }

function request(url: string, method: string, headers: Record<string, string | number> = {}, body?: Buffer | string | NodeJS.ReadableStream): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${url}: no answer within 120 s`)));
    req.on('error', reject);
    if (body && typeof body === 'object' && 'pipe' in body) body.pipe(req);
    else req.end(body);
  });
}

export async function startRegistry(dir: string): Promise<Registry> {
  if (!existsSync(REGISTRY_BIN)) throw new Error(`${REGISTRY_BIN} missing (apt-get install docker-registry)`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(config, [
    'version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:', '    enabled: true', 'http:', `  addr: 127.0.0.1:${port}`, '',
  ].join('\n'));
  const log = openSync(join(dir, 'registry.log'), 'a');
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', log, log], detached: true });
  const addr = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  for (let i = 0; i < 100; i++) {
    const ok = await request(`http://${addr}/v2/`, 'GET').then((r) => r.status === 200, () => false);
    if (ok) return { addr, child, stop };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  await stop();
  throw new Error('docker-registry did not answer on ' + addr);
}

interface Blob { digest: string; size: number; diffId?: string; path: string }

/** One layer: a tar holding one file of random bytes, gzip level 1 (random data does not compress anyway). */
async function makeLayer(path: string, index: number, bytes: number): Promise<Blob> {
  const content = Buffer.allocUnsafe(bytes);
  randomFillSync(content);
  const pack = tar.pack();
  pack.entry({ name: `bench/layer-${index}.bin`, size: bytes, mode: 0o644, mtime: new Date(0) }, content);
  pack.finalize();
  const diff = createHash('sha256');
  const packed = createHash('sha256');
  const tap = (h: ReturnType<typeof createHash>) => new Transform({ transform(c: Buffer, _e, cb) { h.update(c); cb(null, c); } });
  await pipeline(pack, tap(diff), createGzip({ level: 1 }), tap(packed), createWriteStream(path));
  return { digest: `sha256:${packed.digest('hex')}`, diffId: `sha256:${diff.digest('hex')}`, size: statSync(path).size, path };
}

async function uploadBlob(addr: string, repo: string, blob: Blob): Promise<void> {
  const head = await request(`http://${addr}/v2/${repo}/blobs/${blob.digest}`, 'HEAD');
  if (head.status === 200) return;
  const start = await request(`http://${addr}/v2/${repo}/blobs/uploads/`, 'POST', { 'Content-Length': 0 });
  const location = start.headers.location;
  if (start.status !== 202 || !location) throw new Error(`blob upload start: ${start.status} ${start.body.slice(0, 120)}`);
  const url = new URL(location, `http://${addr}`);
  url.searchParams.set('digest', blob.digest);
  const put = await request(url.toString(), 'PUT', { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.size }, createReadStream(blob.path));
  if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${put.body.slice(0, 120)}`);
}

/** Pushes `repo:latest` of `layers` × `layerBytes`; returns the total compressed size in bytes. */
export async function pushSyntheticImage(addr: string, dir: string, repo: string, layers: number, layerBytes: number): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const blobs: Blob[] = [];
  for (let i = 0; i < layers; i++) blobs.push(await makeLayer(join(dir, `layer-${i}.tar.gz`), i, layerBytes));
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: new Date(0).toISOString(),
    config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: blobs.map((b) => b.diffId) },
    history: blobs.map((_, i) => ({ created: new Date(0).toISOString(), created_by: `berth-bench layer ${i}` })),
  }));
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, config);
  const configBlob: Blob = { digest: `sha256:${createHash('sha256').update(config).digest('hex')}`, size: config.length, path: configPath };
  for (const b of [...blobs, configBlob]) await uploadBlob(addr, repo, b);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: configBlob.size, digest: configBlob.digest },
    layers: blobs.map((b) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: b.size, digest: b.digest })),
  });
  const put = await request(`http://${addr}/v2/${repo}/manifests/latest`, 'PUT',
    { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json', 'Content-Length': Buffer.byteLength(manifest) }, manifest);
  if (put.status !== 201) throw new Error(`manifest push: ${put.status} ${put.body.slice(0, 120)}`);
  return blobs.reduce((n, b) => n + b.size, 0);
}
