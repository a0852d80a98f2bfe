// The CLI against an in-process fake Engine API on a UNIX socket: request order of `run`, hijacked
// attach with multiplexed output, exit status passing, per-item bulk results, docker's error texts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { Writable, PassThrough } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { frame } from '../../src/model/stream-frame.js';

const ID = 'a'.repeat(64);
let dir: string;
let server: http.Server;
let host: string;
const log: string[] = [];
let attached: Duplex | undefined;
let pendingWait: http.ServerResponse | undefined;
let createBody: Record<string, unknown> = {};

function finishContainer(): void {
  attached?.write(frame(1, Buffer.from('hello\n')));
  attached?.write(frame(2, Buffer.from('warn\n')));
  attached?.end();
  pendingWait?.end(JSON.stringify({ StatusCode: 3, Error: null }) + '\n');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
  const sock = join(dir, 'fake.sock');
  host = `unix://${sock}`;
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    log.push(`${req.method} ${url.pathname}${url.search}`);
    const json = (status: number, body: unknown) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const p = url.pathname.replace(/^\/v1\.50/, '');
      if (p === '/containers/create') {
        createBody = JSON.parse(Buffer.concat(chunks).toString());
        if (createBody.Image === 'nosuch') return json(404, { message: 'No such image: nosuch:latest' });
        return json(201, { Id: ID, Warnings: [] });
      }
      if (p === `/containers/${ID}/wait`) { res.writeHead(200, { 'Content-Type': 'application/json' }); res.flushHeaders(); pendingWait = res; return; }
      if (p === `/containers/${ID}/start`) { res.writeHead(204); res.end(); setImmediate(finishContainer); return; }
      if (p === '/containers/a' && req.method === 'DELETE') { res.writeHead(204); res.end(); return; }
      if (p === '/containers/b' && req.method === 'DELETE') return json(404, { message: 'No such container: b' });
      if (p === '/containers/json') {
        return json(200, [{ Id: ID, Names: ['/web'], Image: 'busybox', ImageID: 'sha256:' + 'b'.repeat(64), Command: 'sleep 1000', Created: Math.floor(Date.now() / 1000) - 7200, State: 'running', Status: 'Up 2 hours', Ports: [], Labels: { app: 'x' }, Mounts: [] }]);
      }
      if (p === '/images/create') return json(500, { message: 'pull access denied for nosuch' });
      json(404, { message: 'page not found' });
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    log.push(`UPGRADE ${req.method} ${req.url?.replace(/^\/v1\.50/, '')}`);
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    attached = socket;
  });
  await new Promise<void>((r) => server.listen(sock, r));
});

after(() => { server.close(); rmSync(dir, { recursive: true, force: true }); });

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(c.toString()); cb(); } });
  const code = await runCli(['-H', host, ...args], {
    stdout: sink((s) => { stdout += s; }), stderr: sink((s) => { stderr += s; }),
    stdin: new PassThrough(), prog: 'berth', env: {}, now: () => Date.now(),
  });
  return { code, stdout, stderr };
}

test('run: create, attach (upgrade), wait registered, start; output split; exit status passed', async () => {
  log.length = 0;
  const r = await cli(['run', '--rm', '-e', 'A=1', '--name', 'x', 'busybox', 'echo', 'hello']);
  assert.equal(r.stdout, 'hello\n');
  assert.equal(r.stderr, 'warn\n');
  assert.equal(r.code, 3);
  assert.deepEqual(log, [
    'POST /v1.50/containers/create?name=x',
    `UPGRADE POST /containers/${ID}/attach?stderr=1&stdout=1&stream=1`,
    `POST /v1.50/containers/${ID}/wait?condition=removed`,
    `POST /v1.50/containers/${ID}/start`,
  ]);
  assert.deepEqual(createBody.Cmd, ['echo', 'hello']);
  assert.deepEqual(createBody.Env, ['A=1']);
  assert.equal((createBody.HostConfig as Record<string, unknown>).AutoRemove, true);
});

test('run -d prints the full id', async () => {
  const r = await cli(['run', '-d', 'busybox', 'sleep', '9']);
  assert.equal(r.stdout, `${ID}\n`);
  assert.equal(r.code, 0);
});

test('run with an image that cannot be found or pulled: exit 125 with docker wording', async () => {
  const r = await cli(['run', 'nosuch']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^Unable to find image 'nosuch:latest' locally\nberth: Error response from daemon: pull access denied for nosuch\n\nRun 'berth run --help' for more information\n$/);
});

test('rm a b: per-item success on stdout, failure on stderr, exit 1', async () => {
  const f = await cli(['rm', '-f', 'a', 'b']);
  assert.deepEqual([f.stdout, f.stderr, f.code], ['a\n', '', 0], 'with -f a missing container is not an error (docker 28)');
  const r = await cli(['rm', 'a', 'b']);
  assert.equal(r.stdout, 'a\n');
  assert.equal(r.stderr, 'Error response from daemon: No such container: b\n');
  assert.equal(r.code, 1);
});

test('ps: docker table and --format with .Label', async () => {
  const r = await cli(['ps']);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'CONTAINER ID   IMAGE     COMMAND        CREATED       STATUS       PORTS     NAMES');
  assert.equal(lines[1], `${'a'.repeat(12)}   busybox   "sleep 1000"   2 hours ago   Up 2 hours             web`);
  const f = await cli(['ps', '--format', '{{.Names}} {{.Label "app"}} {{.State}}']);
  assert.equal(f.stdout, 'web x running\n');
  const q = await cli(['ps', '-q']);
  assert.equal(q.stdout, `${'a'.repeat(12)}\n`);
  const j = await cli(['ps', '--format', 'json']);
  assert.equal(JSON.parse(j.stdout).Names, 'web');
});

test('usage errors and unknown verbs', async () => {
  const r = await cli(['ps', '--bogus']);
  assert.equal(r.code, 125);
  assert.equal(r.stderr, "unknown flag: --bogus\n\nUsage:  berth ps [OPTIONS]\n\nRun 'berth ps --help' for more information\n");
  const a = await cli(['rm']);
  assert.equal(a.code, 1);
  assert.equal(a.stderr, "berth: 'berth rm' requires at least 1 argument\n\nUsage:  berth rm [OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'berth rm --help' for more information\n");
  const h = await cli(['container', 'rm', '--help']);
  assert.match(h.stdout, /Usage:  berth container rm \[OPTIONS\] CONTAINER/);
  assert.match(h.stdout, / -f, --force +Force the removal/);
});

test('daemon unreachable: docker-style message', async () => {
  const r = await runCli(['-H', `unix://${join(dir, 'missing.sock')}`, 'ps'], {
    stdout: new PassThrough(), stderr: new Writable({ write(c, _e, cb) { msg += c.toString(); cb(); } }),
    stdin: new PassThrough(), prog: 'berth', env: {}, now: () => Date.now(),
  });
  assert.equal(r, 1);
  assert.equal(msg, `Cannot connect to the Berth daemon at unix://${join(dir, 'missing.sock')}. Is the berth daemon running?\n`);
});
let msg = '';
