// The little of RFC 6455 that `attach/ws` needs: the handshake's accept key, unmasked server frames,
// and a bounded decoder for the client's masked frames (data, close, ping).
import { createHash } from 'node:crypto';
import { invalidArgument } from '../errors.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Largest frame payload accepted from a client: stdin arrives in small pieces, never megabytes at once. */
export const WS_MAX_FRAME = 1024 * 1024;

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** One final frame (opcode 2 binary, 8 close, 10 pong) as servers send them: unmasked. */
export function encodeFrame(payload: Buffer, opcode = 2): Buffer {
  const len = payload.length;
  let head: Buffer;
  if (len < 126) head = Buffer.from([0x80 | opcode, len]);
  else if (len < 65536) head = Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
  else { head = Buffer.alloc(10); head[0] = 0x80 | opcode; head[1] = 127; head.writeBigUInt64BE(BigInt(len), 2); }
  return Buffer.concat([head, payload]);
}

export interface WsMessage { opcode: number; payload: Buffer }

/**
 * Splits the client's byte stream into frames, unmasking them. Bytes are kept as a list of chunks and
 * joined only once a whole frame is there (no re-concatenation per chunk); a frame announcing more than
 * `maxFrame` bytes throws before anything is buffered for it.
 */
export class WsDecoder {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxFrame = WS_MAX_FRAME) {}

  private peek(n: number): Buffer | undefined {
    if (this.size < n) return undefined;
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  private take(n: number): Buffer {
    const first = this.peek(n)!;
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift(); else this.chunks[0] = first.subarray(n);
    this.size -= n;
    return out;
  }

  push(chunk: Buffer): WsMessage[] {
    if (chunk.length) { this.chunks.push(chunk); this.size += chunk.length; }
    const out: WsMessage[] = [];
    for (;;) {
      const h = this.peek(2);
      if (!h) break;
      const opcode = h[0] & 0x0f;
      const masked = (h[1] & 0x80) !== 0;
      let len = h[1] & 0x7f;
      let at = 2;
      if (len === 126) { const x = this.peek(4); if (!x) break; len = x.readUInt16BE(2); at = 4; }
      else if (len === 127) {
        const x = this.peek(10); if (!x) break;
        const big = x.readBigUInt64BE(2);
        if (big > BigInt(this.maxFrame)) throw invalidArgument(`websocket frame of ${big} bytes is over the ${this.maxFrame}-byte limit`);
        len = Number(big); at = 10;
      }
      if (len > this.maxFrame) throw invalidArgument(`websocket frame of ${len} bytes is over the ${this.maxFrame}-byte limit`);
      const need = at + (masked ? 4 : 0) + len;
      if (this.size < need) break;
      const whole = this.take(need);
      const payload = Buffer.from(whole.subarray(need - len));
      if (masked) {
        const mask = whole.subarray(at, at + 4);
        for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      }
      out.push({ opcode, payload });
    }
    return out;
  }
}
