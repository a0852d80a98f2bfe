// The little of RFC 6455 that `attach/ws` needs: the handshake's accept key, unmasked server frames,
// and a decoder for the client's masked frames (data, close, ping).
import { createHash } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** One final frame (opcode 2 binary, 8 close, 10 pong) as servers send them: unmasked. */
export function encodeFrame(payload: Buffer, opcode = 2): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len])
    : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
      : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(len)]);
  return Buffer.concat([head, payload]);
}

function bigLength(len: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(len));
  return b;
}

export interface WsMessage { opcode: number; payload: Buffer }

/** Splits the client's byte stream into frames, unmasking them; incomplete frames wait for more bytes. */
export class WsDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): WsMessage[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: WsMessage[] = [];
    for (;;) {
      if (this.buf.length < 2) break;
      const opcode = this.buf[0] & 0x0f;
      const masked = (this.buf[1] & 0x80) !== 0;
      let len = this.buf[1] & 0x7f;
      let at = 2;
      if (len === 126) { if (this.buf.length < 4) break; len = this.buf.readUInt16BE(2); at = 4; }
      else if (len === 127) { if (this.buf.length < 10) break; len = Number(this.buf.readBigUInt64BE(2)); at = 10; }
      const need = at + (masked ? 4 : 0) + len;
      if (this.buf.length < need) break;
      const payload = Buffer.from(this.buf.subarray(need - len, need));
      if (masked) {
        const mask = this.buf.subarray(at, at + 4);
        for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      }
      out.push({ opcode, payload });
      this.buf = this.buf.subarray(need);
    }
    return out;
  }
}
