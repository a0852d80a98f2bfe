// Reading conmon's k8s-file container log: `<RFC3339Nano time> <stdout|stderr> <F|P> <text>` per row.
// P rows are partial lines (no newline follows the text); F rows end a line.
import { open, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface LogEntry { time: string; timeNano: bigint; stream: 'stdout' | 'stderr'; payload: Buffer }

/** Nanoseconds since the epoch of an RFC 3339 time with up to 9 fraction digits. */
export function rfc3339ToNano(t: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return BigInt(Date.parse(t) || 0) * 1_000_000n;
  const secs = BigInt(Math.floor(Date.parse(m[1] + m[3]) / 1000));
  const frac = BigInt(((m[2] ?? '') + '000000000').slice(0, 9));
  return secs * 1_000_000_000n + frac;
}

/** Docker's log timestamp: RFC 3339 in UTC with nanoseconds. */
export function nanoToRfc3339(n: bigint): string {
  const ms = Number(n / 1_000_000n);
  const iso = new Date(ms).toISOString().slice(0, 19);
  return `${iso}.${(n % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

export function parseLogLine(line: string): LogEntry | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const flag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  const text = c < 0 ? '' : line.slice(c + 1);
  const time = line.slice(0, a);
  return { time, timeNano: rfc3339ToNano(time), stream, payload: Buffer.from(flag === 'P' ? text : text + '\n') };
}

/** Splits bytes into complete rows, keeping an incomplete tail for the next chunk. */
export class RowSplitter {
  private rest = '';
  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const rows = text.split('\n');
    this.rest = rows.pop() ?? '';
    return rows.filter((r) => r.length > 0);
  }
}

/**
 * Reads a log file from an offset and keeps following it (inotify) until `finish()`, which reads what
 * is left and stops. Each complete row is handed to `onEntry` in order.
 */
export class LogFollower {
  private fh?: FileHandle;
  private watcher?: FSWatcher;
  private position = 0;
  private reading?: Promise<void>;
  private again = false;
  private stopped = false;
  private readonly splitter = new RowSplitter();
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly path: string, private readonly onEntry: (e: LogEntry) => void) {}

  /** Starts at `offset` (0 for everything, or the current size to see only new rows). */
  async start(offset: number): Promise<void> {
    this.position = offset;
    this.fh = await open(this.path, 'a+');
    this.watcher = watch(this.path, () => { void this.pump(); });
    this.watcher.on('error', () => undefined);
    await this.pump();
  }

  private pump(): Promise<void> {
    if (this.reading) { this.again = true; return this.reading; }
    this.reading = (async () => {
      do {
        this.again = false;
        await this.readAvailable();
      } while (this.again && !this.stopped);
      this.reading = undefined;
    })();
    return this.reading;
  }

  private async readAvailable(): Promise<void> {
    if (!this.fh) return;
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      for (const row of this.splitter.push(this.decoder.write(buf.subarray(0, bytesRead)))) {
        const e = parseLogLine(row);
        if (e) this.onEntry(e);
      }
    }
  }

  /** Reads to the end of the file, then stops following. */
  async finish(): Promise<void> {
    this.watcher?.close();
    while (this.reading) await this.reading;
    await this.readAvailable();
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    const fh = this.fh;
    this.fh = undefined;
    void fh?.close().catch(() => undefined);
  }
}

/** All entries of a log file (for `logs` without follow, and `tail`). */
export async function readLogEntries(path: string): Promise<LogEntry[]> {
  let text: string;
  try {
    const fh = await open(path, 'r');
    try { text = (await fh.readFile()).toString('utf8'); } finally { await fh.close(); }
  } catch { return []; }
  const out: LogEntry[] = [];
  for (const row of text.split('\n')) {
    if (!row) continue;
    const e = parseLogLine(row);
    if (e) out.push(e);
  }
  return out;
}
