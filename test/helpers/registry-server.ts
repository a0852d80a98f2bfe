// Runs `berth registry serve` as a child process on 127.0.0.1 (a free port chosen by the server) over a temp
// root, plus small helpers the registry tests share: raw HTTP requests and a hand-made docker-archive.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import https from 'node:https';
import tar from 'tar-stream';
import { BERTH } from './daemon.js';

export interface RegistryProcess {
  root: string;
  port: number;
  /** `127.0.0.1:PORT` */
  addr: string;
  stop(): Promise<void>;
  output(): string;
}

export async function startRegistryServer(extraArgs: string[] = [], root?: string): Promise<RegistryProcess> {
  const dir = root ?? mkdtempSync(join(tmpdir(), 'berth-registry-'));
  const child: ChildProcess = spawn(process.execPath, [BERTH, 'registry', 'serve', '--addr', '127.0.0.1:0', '--root', dir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`registry did not start:\n${out}`)), 15_000);
    const check = () => {
      const m = /listening on https?:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`registry exited with ${code}:\n${out}`)); });
  });
  return {
    root: dir, port, addr: `127.0.0.1:${port}`,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      if (!root) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse { status: number; headers: http.IncomingHttpHeaders; body: Buffer; text: string }

export function request(base: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: Buffer | string; ca?: Buffer } = {}): Promise<RawResponse> {
  const url = new URL(path, base);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method, headers: opts.headers, ca: opts.ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { const body = Buffer.concat(chunks); resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') }); });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function sha256(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

async function tarOf(files: Record<string, Buffer | string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A docker-archive (`docker save` format) of a one-layer image holding /hello.txt with random content, so
 * each call makes an image no registry or engine has seen. Returns the archive path and the layer's DiffID.
 */
export async function makeDockerArchive(dir: string, repoTag = 'berth-test/hello:latest'): Promise<{ path: string; diffId: string; marker: string }> {
  const marker = randomBytes(16).toString('hex');
  const layer = await tarOf({ 'hello.txt': `hello ${marker}\n` });
  const diffId = sha256(layer);
  const config = JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z',
    config: { Cmd: ['/hello.txt'], Env: ['PATH=/usr/bin:/bin'] },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: '2026-01-01T00:00:00Z', created_by: 'berth test' }],
  });
  const configName = `${sha256(config).slice(7)}.json`;
  const layerName = `${diffId.slice(7)}/layer.tar`;
  const archive = await tarOf({
    [configName]: config,
    [layerName]: layer,
    'manifest.json': JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: [layerName] }]),
  });
  const path = join(dir, `image-${marker.slice(0, 8)}.tar`);
  writeFileSync(path, archive);
  return { path, diffId, marker };
}

/** An htpasswd file with one bcrypt entry, written with bcryptjs (what `htpasswd -B` writes). */
export async function writeHtpasswd(path: string, user: string, password: string): Promise<void> {
  const bcrypt = (await import('bcryptjs')).default;
  writeFileSync(path, `${user}:${bcrypt.hashSync(password, 5).replace(/^\$2b\$/, '$2y$')}\n`);
}

export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}
