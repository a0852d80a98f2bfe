// Reading a container's k8s-file log for `logs` and `attach`: large reads decoded straight into the
// client's bytes (log-decoder.ts), the socket's backpressure honoured, `tail` found by scanning back
// from the end of the file, and (follow) new bytes picked up through inotify until told to finish.
import { open, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type { LogDecoder } from './log-decoder.js';

const READ_SIZE = 1024 * 1024;

/** What the reader reads: a file, or a container's log across its rotated files (engine/logs/log-view.ts). */
export interface LogSource {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  /** Picks up a rotation of the live file, if the source can have one. */
  refresh?(): Promise<void>;
}

/** Where the decoded bytes go. `write` resolves once the consumer can take more. */
export interface ByteSink {
  write(b: Buffer): Promise<void> | void;
  /** True once the client went away: reading stops. */
  readonly closed: boolean;
  onClose(cb: () => void): void;
}

/** A sink over an HTTP response or a hijacked socket: waits for 'drain' when the socket's buffer is full. */
export function writableSink(w: Writable): ByteSink {
  return {
    get closed() { return w.destroyed || w.writableEnded; },
    onClose(cb) { w.once('close', cb); },
    write(b) {
      if (w.destroyed || w.writableEnded || w.write(b)) return;
      return new Promise<void>((resolve) => {
        const done = () => { w.off('drain', done); w.off('close', done); resolve(); };
        w.on('drain', done);
        w.on('close', done);
      });
    },
  };
}

/** Offset of the first row of the last `lines` lines, scanning backwards from `end` (the file size). */
export async function tailOffset(fh: LogSource, end: number, lines: number): Promise<number> {
  if (lines <= 0) return end;
  let pos = end;
  let carry: Buffer | undefined; // bytes of a row whose start is in an earlier chunk
  const counter = new TailCounter(lines);
  let endFound = false;
  while (pos > 0) {
    const len = Math.min(READ_SIZE, pos);
    pos -= len;
    const chunk = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await fh.read(chunk, got, len - got, pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const data = carry ? Buffer.concat([chunk.subarray(0, got), carry]) : chunk.subarray(0, got);
    // data covers [pos, pos + data.length); rows at or after `cursor` are done.
    let cursor = data.length;
    if (!endFound) {
      // The file's last row may be incomplete (still being written): it is not a line yet.
      const last = data.lastIndexOf(0x0a);
      cursor = last + 1;
      endFound = last >= 0;
    }
    for (;;) {
      if (cursor === 0) break;
      const nl = cursor >= 2 ? data.lastIndexOf(0x0a, cursor - 2) : -1;
      if (nl < 0 && pos > 0) break;
      const rowStart = nl + 1;
      if (counter.row(data, rowStart, cursor, pos + rowStart)) return counter.start;
      cursor = rowStart;
    }
    carry = data.subarray(0, cursor);
  }
  return counter.complete ? counter.start : 0;
}

/**
 * Fed the rows from the last backwards, finds where the last N lines start. A line is its P rows and
 * the F row ending it (the unfinished last line of a stream counts too); with stdout and stderr
 * interleaved, a counted line's earlier parts can precede other lines, so a stream stays `open` until
 * the F row before its counted line shows up. Rows of the other stream in between come along.
 */
class TailCounter {
  private count = 0;
  private readonly open = [false, false];
  private readonly seen = [false, false];
  /** File offset of the earliest row of a counted line. */
  start = 0;

  constructor(private readonly lines: number) {}

  get complete(): boolean { return this.count === this.lines; }

  /** The row b[from, to) at file offset `at`; true once the rows before it are outside the tail. */
  row(b: Buffer, from: number, to: number, at: number): boolean {
    const sp = b.indexOf(0x20, from);
    if (sp < 0 || sp + 8 >= to) return false;
    const si = b[sp + 4] === 0x65 ? 1 : 0; // std[e]rr
    const full = b[sp + 8] === 0x46; // 'F'
    if (this.open[si] && !full) { this.start = at; return false; }
    this.open[si] = false;
    if (this.count < this.lines && (full || !this.seen[si])) {
      this.count++;
      this.open[si] = true;
      this.start = at;
    }
    this.seen[si] = true;
    return this.count === this.lines && !this.open[0] && !this.open[1];
  }
}

/**
 * One log file read from an offset into a decoder and a sink. `readToEnd` drains what the file holds;
 * `follow` keeps reading new bytes until `finish` resolves (then reads what is left) or the sink closes.
 */
export class LogReader {
  private position: number;
  private readonly buf = Buffer.allocUnsafe(READ_SIZE);

  constructor(private readonly fh: LogSource, offset: number, private readonly decoder: LogDecoder, private readonly sink: ByteSink) {
    this.position = offset;
  }

  static async open(path: string): Promise<FileHandle> {
    // a+: attach may start before conmon created the file, and inotify needs it to exist.
    return open(path, 'a+');
  }

  async readToEnd(): Promise<void> {
    for (;;) {
      if (this.sink.closed) return;
      const { bytesRead } = await this.fh.read(this.buf, 0, this.buf.length, this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      const out = this.decoder.push(this.buf.subarray(0, bytesRead));
      if (out) await this.sink.write(out);
    }
  }

  async follow(path: string, finish: Promise<void>): Promise<void> {
    let dirty = true;
    let finished = false;
    let wake: (() => void) | undefined;
    const poke = () => { dirty = true; const w = wake; wake = undefined; w?.(); };
    let watcher: FSWatcher | undefined;
    try {
      // The directory, not the file: a rotation replaces the file, and its new bytes must wake us too.
      const name = basename(path);
      watcher = watch(dirname(path), (_ev, file) => { if (!file || file.startsWith(name)) poke(); });
      watcher.on('error', () => undefined);
      void finish.then(() => { finished = true; poke(); });
      this.sink.onClose(poke);
      for (;;) {
        if (this.sink.closed) return;
        if (!dirty) await new Promise<void>((resolve) => { wake = resolve; });
        dirty = false;
        const done = finished;
        await this.readToEnd();
        if (this.fh.refresh) { await this.fh.refresh(); await this.readToEnd(); }
        if (done) return;
      }
    } finally {
      watcher?.close();
    }
  }
}
