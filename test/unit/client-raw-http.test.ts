// The plain-socket HTTP client against node's own HTTP server: bodies by length, chunked and until
// close, streamed (chunked) uploads, and 101 upgrades handed back with the bytes already read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawRequest, ChunkedDecoder, type RawResponse } from '../../src/client/raw-http.js';

let dir: string;
let sock: string;
let server: http.Server;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-raw-'));
  sock = join(dir, 's.sock');
  server = http.createServer((req, res) => {
    if (req.url === '/length') { res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 9 }); res.end('{"a":"b"}'); return; }
    if (req.url === '/chunked') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"status":"one"}\n');
      setTimeout(() => res.end('{"status":"two"}\n'), 20);
      return;
    }
    if (req.url === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { const b = Buffer.concat(chunks); res.writeHead(200, { 'X-Len': String(b.length), 'X-TE': String(req.headers['transfer-encoding'] ?? '') }); res.end(b); });
      return;
    }
    if (req.url === '/none') { res.writeHead(204); res.end(); return; }
    res.writeHead(404, { 'Content-Type': 'application/json' }); res.end('{"message":"page not found"}');
  });
  server.on('upgrade', (_req: http.IncomingMessage, s: Duplex) => {
    s.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nearly');
    s.on('data', (c: Buffer) => s.write(c.toString().toUpperCase()));
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(sock, r));
});

after(() => { server.close(); rmSync(dir, { recursive: true, force: true }); });

async function text(r: RawResponse): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
}

async function get(path: string, body?: Buffer | Readable, method = 'GET'): Promise<RawResponse> {
  const r = await rawRequest({ path: sock }, { method, path, headers: {}, body });
  assert.ok('response' in r);
  return r.response;
}

test('content-length, chunked, no-content and error bodies', async () => {
  const a = await get('/length');
  assert.equal(a.statusCode, 200);
  assert.equal(a.headers['content-type'], 'application/json');
  assert.equal(await text(a), '{"a":"b"}');
  assert.equal(await text(await get('/chunked')), '{"status":"one"}\n{"status":"two"}\n');
  const n = await get('/none', undefined, 'POST');
  assert.equal(n.statusCode, 204);
  assert.equal(await text(n), '');
  const e = await get('/nope');
  assert.equal(e.statusCode, 404);
  assert.equal(await text(e), '{"message":"page not found"}');
});

test('buffer bodies by length, stream bodies chunked', async () => {
  const a = await get('/echo', Buffer.from('hello'), 'POST');
  assert.equal(a.headers['x-len'], '5');
  assert.equal(await text(a), 'hello');
  const big = Buffer.alloc(300_000, 7);
  const b = await get('/echo', Readable.from([big.subarray(0, 100_000), big.subarray(100_000)]), 'POST');
  assert.equal(b.headers['x-te'], 'chunked');
  assert.equal(b.headers['x-len'], '300000');
  assert.equal((await text(b)).length, 300_000);
});

test('101 upgrade returns the raw socket with early bytes kept', async () => {
  const r = await rawRequest({ path: sock }, { method: 'POST', path: '/attach', headers: { Connection: 'Upgrade', Upgrade: 'tcp' }, body: Buffer.alloc(0) });
  assert.ok('upgraded' in r);
  const s = r.upgraded;
  assert.equal(r.headers['content-type'], 'application/vnd.docker.raw-stream');
  let got = '';
  s.on('data', (c: Buffer) => { got += c.toString(); });
  s.resume();
  s.write('abc');
  s.end();
  await new Promise((res) => s.once('close', res));
  assert.equal(got, 'earlyABC');
});

test('chunked decoder copes with any split', () => {
  const wire = Buffer.from('5\r\nhello\r\n1;ext=1\r\n!\r\n0\r\n\r\n');
  for (let cut = 0; cut <= wire.length; cut++) {
    const d = new ChunkedDecoder();
    const out: Buffer[] = [];
    d.push(wire.subarray(0, cut), (b) => out.push(Buffer.from(b)));
    d.push(wire.subarray(cut), (b) => out.push(Buffer.from(b)));
    assert.equal(Buffer.concat(out).toString(), 'hello!');
    assert.equal(d.done, true);
  }
});
