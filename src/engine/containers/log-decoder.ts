// Turns conmon's k8s-file rows (`<RFC3339Nano time> <stdout|stderr> <F|P> <text>\n`) straight into the
// bytes a logs/attach client reads, without strings: Docker's multiplexed frames (consecutive rows of
// one stream packed into frames of up to 64 KiB — frames are only chunks of a stream, so this keeps
// the output identical while the CLI demultiplexes ~1000× fewer frames) or, for a TTY, the raw bytes.
// P rows are partial lines (the text has no newline); F rows end a line.

const NL = 0x0a;
const SPACE = 0x20;
const MAX_FRAME = 64 * 1024;

export interface DecodeOptions {
  stdout: boolean;
  stderr: boolean;
  /** TTY containers: raw bytes, no frames. */
  tty: boolean;
  /** Prefix each line with Docker's `2006-01-02T15:04:05.000000000Z ` timestamp. */
  timestamps: boolean;
  sinceNano?: bigint;
  untilNano?: bigint;
}

/** A time as whole seconds and nanoseconds, both safe JS numbers (nanoseconds since 1970 are not). */
interface SecNano { sec: number; nsec: number }

function splitNano(n: bigint): SecNano {
  return { sec: Number(n / 1_000_000_000n), nsec: Number(n % 1_000_000_000n) };
}

function before(a: SecNano, b: SecNano): boolean {
  return a.sec < b.sec || (a.sec === b.sec && a.nsec < b.nsec);
}

function digits(b: Buffer, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = b[i + k] - 0x30;
    if (!(d >= 0 && d <= 9)) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/** Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` in b[start, end) into `out`; false if it is not one. */
export function parseRowTime(b: Buffer, start: number, end: number, out: SecNano): boolean {
  if (end - start < 20) return false;
  const secs = Date.UTC(digits(b, start, 4), digits(b, start + 5, 2) - 1, digits(b, start + 8, 2),
    digits(b, start + 11, 2), digits(b, start + 14, 2), digits(b, start + 17, 2)) / 1000;
  if (Number.isNaN(secs)) return false;
  let i = start + 19;
  let nsec = 0;
  if (b[i] === 0x2e) {
    let n = 0;
    for (i++; i < end && b[i] >= 0x30 && b[i] <= 0x39; i++, n++) if (n < 9) nsec = nsec * 10 + (b[i] - 0x30);
    for (; n < 9; n++) nsec *= 10;
  }
  let offset = 0;
  if (b[i] === 0x2b || b[i] === 0x2d) {
    offset = (digits(b, i + 1, 2) * 3600 + digits(b, i + 4, 2) * 60) * (b[i] === 0x2d ? -1 : 1);
    if (Number.isNaN(offset)) return false;
  } else if (b[i] !== 0x5a) return false;
  out.sec = secs - offset;
  out.nsec = nsec;
  return true;
}

/**
 * Feed it the log file's bytes in order (any chunking); each push returns what to send for the complete
 * rows seen so far. Rows that are not k8s-file rows are skipped.
 */
export class LogDecoder {
  private rest?: Buffer;
  /** Per stream (0 stdout, 1 stderr): inside a line continued by P rows. */
  private readonly midLine = [false, false];
  /** Per stream: the current line is outside since/until. */
  private readonly skipLine = [false, false];
  private readonly time: SecNano = { sec: 0, nsec: 0 };
  private readonly since?: SecNano;
  private readonly until?: SecNano;
  private readonly needTime: boolean;
  private stampSec = NaN;
  private stampHead = '';
  private out = Buffer.alloc(0);
  private len = 0;
  /** Offset of the open frame's header in `out`, or -1. */
  private frameAt = -1;
  private frameStream = 0;

  constructor(private readonly opts: DecodeOptions) {
    if (opts.sinceNano !== undefined) this.since = splitNano(opts.sinceNano);
    if (opts.untilNano !== undefined) this.until = splitNano(opts.untilNano);
    this.needTime = opts.timestamps || !!this.since || !!this.until;
  }

  push(chunk: Buffer): Buffer | undefined {
    this.out = Buffer.allocUnsafe(chunk.length + 4096);
    this.len = 0;
    this.frameAt = -1;
    let start = 0;
    if (this.rest) {
      // Complete the carried row with the head of this chunk (copies one row, not the chunk).
      const nl = chunk.indexOf(NL);
      if (nl < 0) { this.rest = Buffer.concat([this.rest, chunk]); return undefined; }
      const row = Buffer.concat([this.rest, chunk.subarray(0, nl + 1)]);
      this.rest = undefined;
      this.row(row, 0, row.length - 1);
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(NL, start);
      if (nl < 0) break;
      this.row(chunk, start, nl);
      start = nl + 1;
    }
    // Copied: the caller may reuse its read buffer.
    if (start < chunk.length) this.rest = Buffer.from(chunk.subarray(start));
    return this.take();
  }

  /** One row b[start, nl) whose newline is at nl. */
  private row(b: Buffer, start: number, nl: number): void {
    const sp = b.indexOf(SPACE, start);
    // `<time> stdout F` at least; the stream name is 6 bytes, then a space and the flag.
    if (sp < 0 || sp + 9 > nl || b[sp + 1] !== 0x73 || b[sp + 7] !== SPACE) return;
    let si: number;
    if (b[sp + 4] === 0x6f && b[sp + 5] === 0x75 && b[sp + 6] === 0x74) si = 0; // "out"
    else if (b[sp + 4] === 0x65 && b[sp + 5] === 0x72 && b[sp + 6] === 0x72) si = 1; // "err"
    else return;
    const full = b[sp + 8] !== 0x50; // not 'P'
    const lineStart = !this.midLine[si];
    this.midLine[si] = !full;
    if (!(si === 0 ? this.opts.stdout : this.opts.stderr)) return;
    // An empty F row may end right after the flag: its payload is just the newline.
    const from = Math.min(sp + 10, nl);
    const to = full ? nl + 1 : nl;
    if (this.needTime && lineStart) {
      const t = this.time;
      const ok = parseRowTime(b, start, sp, t);
      this.skipLine[si] = ok && ((!!this.since && before(t, this.since)) || (!!this.until && before(this.until, t)));
      if (!this.skipLine[si] && this.opts.timestamps && ok) this.putStamp(si + 1);
    }
    if (this.skipLine[si]) return;
    this.put(si + 1, b, from, to);
  }

  private putStamp(stream: number): void {
    const { sec, nsec } = this.time;
    if (sec !== this.stampSec) {
      this.stampSec = sec;
      this.stampHead = new Date(sec * 1000).toISOString().slice(0, 19) + '.';
    }
    const s = `${this.stampHead}${String(nsec).padStart(9, '0')}Z `;
    const b = Buffer.from(s, 'latin1');
    this.put(stream, b, 0, b.length);
  }

  private put(stream: number, src: Buffer, s: number, e: number): void {
    if (this.opts.tty) {
      this.ensure(e - s);
      this.len += src.copy(this.out, this.len, s, e);
      return;
    }
    while (s < e) {
      if (this.frameAt < 0 || this.frameStream !== stream || this.len - this.frameAt - 8 >= MAX_FRAME) this.openFrame(stream);
      const n = Math.min(MAX_FRAME - (this.len - this.frameAt - 8), e - s);
      this.ensure(n);
      this.len += src.copy(this.out, this.len, s, s + n);
      s += n;
    }
  }

  private openFrame(stream: number): void {
    this.closeFrame();
    this.ensure(8);
    this.frameAt = this.len;
    this.frameStream = stream;
    this.out.writeUInt32BE(stream << 24, this.len);
    this.len += 8;
  }

  private closeFrame(): void {
    if (this.frameAt >= 0) this.out.writeUInt32BE(this.len - this.frameAt - 8, this.frameAt + 4);
    this.frameAt = -1;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.len + n));
    this.out.copy(bigger, 0, 0, this.len);
    this.out = bigger;
  }

  private take(): Buffer | undefined {
    this.closeFrame();
    const out = this.len ? this.out.subarray(0, this.len) : undefined;
    this.out = Buffer.alloc(0);
    this.len = 0;
    return out;
  }
}
