// Docker's JSON progress messages (what the docker CLI turns into bars), and a byte-counting stream that
// reports through them without flooding the connection.
import { Transform, type TransformCallback } from 'node:stream';

export interface ProgressMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  error?: string;
  errorDetail?: { message: string };
  /** Extra result data (push: Tag, Digest, Size). */
  aux?: Record<string, unknown>;
}

function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toPrecision(4).replace(/\.?0+$/, '')}${units[i]}`;
}

/** `[=====>      ]  1.2MB/2.4MB`, 50 columns as Docker draws it. */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return humanSize(current);
  const width = 50;
  const filled = Math.min(width, Math.floor((current / total) * width));
  const bar = '='.repeat(filled) + '>' + ' '.repeat(width - filled);
  return `[${bar}] ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

export function progressMessage(status: string, id: string, current: number, total: number): ProgressMessage {
  return { status, progressDetail: total > 0 ? { current, total } : { current }, progress: progressBar(current, total), id };
}

/** Passes bytes through, calling `report(current)` at most every `step` bytes and once at the end. */
export class CountingStream extends Transform {
  private seen = 0;
  private lastReport = 0;

  constructor(private readonly report: (current: number) => void, private readonly step = 512 * 1024) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen - this.lastReport >= this.step) { this.lastReport = this.seen; this.report(this.seen); }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.lastReport !== this.seen) this.report(this.seen);
    cb();
  }
}
