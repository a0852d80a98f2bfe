// A minimal HTTP/1.1 client over a plain socket (UNIX or TCP without TLS). node:http's first request
// costs 10-20 ms of warm-up in a fresh process; the CLI is benchmarked on start-up, and a container run
// needs three requests, so the plain-socket path writes requests and parses responses itself: status
// line, headers, Content-Length / chunked / until-close bodies, and `101` upgrades handed back raw.
import net from 'node:net';
import { PassThrough, type Readable } from 'node:stream';

export interface RawResponse extends PassThrough {
  statusCode: number;
  headers: Record<string, string>;
}

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | Readable;
}

export type RawTarget = { path: string } | { host: string; port: number };

/** Decodes a chunked transfer-encoded body; returns true when the last chunk was seen. */
export class ChunkedDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private remaining = -1; // -1: expecting a size line; -2: expecting the CRLF after data
  done = false;

  push(chunk: Buffer, out: (b: Buffer) => void): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (let guard = 0; guard < 1_000_000 && !this.done; guard++) {
      if (this.remaining === -1) {
        const nl = this.buf.indexOf('\r\n');
        if (nl < 0) return;
        const size = parseInt(this.buf.subarray(0, nl).toString('latin1').split(';')[0].trim(), 16);
        this.buf = this.buf.subarray(nl + 2);
        if (!Number.isFinite(size) || size < 0) throw new Error('malformed chunked encoding');
        if (size === 0) { this.done = true; return; }
        this.remaining = size;
      } else if (this.remaining === -2) {
        if (this.buf.length < 2) return;
        this.buf = this.buf.subarray(2);
        this.remaining = -1;
      } else {
        if (this.buf.length === 0) return;
        const take = Math.min(this.remaining, this.buf.length);
        out(this.buf.subarray(0, take));
        this.buf = this.buf.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) this.remaining = -2;
      }
    }
  }
}

function parseHead(head: string): { statusCode: number; headers: Record<string, string> } {
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) throw new Error(`malformed HTTP response: ${lines[0]}`);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { statusCode: Number(m[1]), headers };
}

/**
 * Sends one request on a fresh connection. Resolves with the response (body streaming) or, for a `101`,
 * with the socket itself (any bytes read past the head pushed back into it).
 */
export function rawRequest(target: RawTarget, req: RawRequest): Promise<{ response: RawResponse } | { upgraded: net.Socket; headers: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const sock = 'path' in target ? net.connect(target.path) : net.connect(target.port, target.host);
    let head: Buffer = Buffer.alloc(0);
    let settled = false;
    const fail = (err: Error) => { if (!settled) { settled = true; reject(err); } };
    sock.once('error', fail);

    const onData = (chunk: Buffer) => {
      head = head.length ? Buffer.concat([head, chunk]) : chunk;
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onData);
      sock.off('end', onEarlyEnd);
      let parsed: ReturnType<typeof parseHead>;
      try { parsed = parseHead(head.subarray(0, end).toString('latin1')); } catch (err) { sock.destroy(); fail(err as Error); return; }
      const rest = head.subarray(end + 4);
      settled = true;
      if (parsed.statusCode === 101) {
        sock.off('error', fail);
        // Paused, so the bytes read past the head wait for the consumer (pipe/resume/async iteration).
        sock.pause();
        if (rest.length) sock.unshift(rest);
        resolve({ upgraded: sock, headers: parsed.headers });
        return;
      }
      resolve({ response: bodyStream(sock, parsed, rest, req.method === 'HEAD') });
    };
    const onEarlyEnd = () => fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    sock.on('data', onData);
    sock.once('end', onEarlyEnd);

    sock.once('connect', () => {
      const headers: Record<string, string> = { Host: 'api.moby.localhost', ...req.headers };
      const body = req.body;
      const streamed = body !== undefined && !Buffer.isBuffer(body);
      if (Buffer.isBuffer(body)) headers['Content-Length'] = String(body.length);
      else if (streamed) headers['Transfer-Encoding'] = 'chunked';
      else if (!('Content-Length' in headers) && ['POST', 'PUT'].includes(req.method)) headers['Content-Length'] = '0';
      let text = `${req.method} ${req.path} HTTP/1.1\r\n`;
      for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
      sock.write(text + '\r\n');
      if (Buffer.isBuffer(body)) { if (body.length) sock.write(body); return; }
      if (!streamed) return;
      const src = body as Readable;
      src.on('data', (c: Buffer) => {
        if (!c.length) return;
        sock.write(`${c.length.toString(16)}\r\n`);
        sock.write(c);
        if (!sock.write('\r\n')) src.pause();
      });
      sock.on('drain', () => src.resume());
      src.once('end', () => sock.write('0\r\n\r\n'));
      src.once('error', (err) => { sock.destroy(err); fail(err); });
    });
  });
}

function bodyStream(sock: net.Socket, parsed: { statusCode: number; headers: Record<string, string> }, rest: Buffer, isHead: boolean): RawResponse {
  const out = new PassThrough() as RawResponse;
  out.statusCode = parsed.statusCode;
  out.headers = parsed.headers;
  const chunked = /chunked/i.test(parsed.headers['transfer-encoding'] ?? '');
  const length = parsed.headers['content-length'] !== undefined ? Number(parsed.headers['content-length']) : undefined;
  const noBody = isHead || parsed.statusCode === 204 || parsed.statusCode === 304 || length === 0;
  const finish = () => { if (!out.writableEnded) out.end(); sock.destroy(); };
  if (noBody) { finish(); return out; }
  const decoder = chunked ? new ChunkedDecoder() : undefined;
  let received = 0;
  const feed = (chunk: Buffer) => {
    if (decoder) {
      try { decoder.push(chunk, (b) => out.write(b)); } catch (err) { out.destroy(err as Error); sock.destroy(); return; }
      if (decoder.done) finish();
      return;
    }
    out.write(chunk);
    received += chunk.length;
    if (length !== undefined && received >= length) finish();
  };
  // Back-pressure: stop reading the socket while our reader is behind.
  sock.on('data', (c: Buffer) => { feed(c); if (out.writableNeedDrain) sock.pause(); });
  out.on('drain', () => sock.resume());
  sock.once('end', () => { if (!out.writableEnded) out.end(); });
  sock.once('error', (err) => out.destroy(err));
  out.once('close', () => sock.destroy());
  if (rest.length) feed(rest);
  return out;
}
