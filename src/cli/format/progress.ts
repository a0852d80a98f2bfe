// docker's jsonmessage display: a JSON progress stream (load, import, pull) drawn as one line per layer
// id, redrawn in place with ANSI cursor moves on a terminal (`[=====>    ]  12.3MB/45.6MB`); on a pipe,
// progress lines are dropped and only status and stream text remain.
import type { JsonMessage, JsonProgress } from '../../client/types.js';
import { humanSize, goDuration } from './units.js';

export class JsonMessageError extends Error {}

export function progressString(p: JsonProgress | undefined, width: number, nowSeconds: number): string {
  if (!p) return '';
  const current = p.current ?? 0;
  const total = p.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return p.units ? `${current} ${p.units}` : humanSize(current).padStart(8);
  let percentage = Math.trunc((current / total) * 100) / 2;
  percentage = Math.min(50, Math.trunc(percentage));
  let bar = '';
  if (width > 110) bar = `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] `;
  let numbers = '';
  if (!p.hidecounts) {
    if (!p.units) numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
    else numbers = current > total ? `${current} ${p.units}` : `${current}/${total} ${p.units}`;
  }
  let left = '';
  if (current > 0 && p.start && p.start > 0 && percentage < 50) {
    const perEntry = (nowSeconds - p.start) / current;
    left = ' ' + goDuration((total - current) * perEntry);
  }
  return bar + numbers + left;
}

export interface ProgressTarget {
  write(s: string): void;
  isTerminal: boolean;
  width: number;
  now?: () => number;
}

/** jsonmessage.DisplayJSONMessagesStream over already-decoded messages. */
export class ProgressRenderer {
  private ids = new Map<string, number>();
  constructor(private readonly out: ProgressTarget) {}

  private display(m: JsonMessage): void {
    const out = this.out;
    const now = (out.now ?? (() => Date.now() / 1000))();
    const progress = m.progressDetail && (m.progressDetail.current || m.progressDetail.total) ? m.progressDetail : undefined;
    const progressText = progressString(progress, out.width, now);
    let endl = '';
    if (out.isTerminal && !m.stream && progress) {
      out.write('\x1b[2K\r');
      endl = '\r';
    } else if (progress && progressText !== '') {
      return; // no progress bars off a terminal
    }
    if (m.id) out.write(`${m.id}: `);
    if (m.from) out.write(`(from ${m.from}) `);
    if (progress && out.isTerminal) out.write(`${m.status ?? ''} ${progressText}${endl}`);
    else if (m.progress && out.isTerminal) out.write(`${m.status ?? ''} ${m.progress}${endl}`);
    else if (m.stream) out.write(`${m.stream}${endl}`);
    else out.write(`${m.status ?? ''}${endl}\n`);
  }

  /** Renders one message; throws the stream's own error (docker prints it and exits 1). */
  push(m: JsonMessage): void {
    if (m.errorDetail?.message || m.error) throw new JsonMessageError(m.errorDetail?.message || m.error || 'unknown error');
    if (m.aux !== undefined) return;
    let diff = 0;
    // As Docker: any progressDetail, even `{}` ("Pulling fs layer"), keeps the line in the redrawn block.
    const progressLine = !!m.id && (m.progressDetail !== undefined || !!m.progress);
    if (progressLine) {
      let line = this.ids.get(m.id!);
      if (line === undefined) {
        line = this.ids.size;
        this.ids.set(m.id!, line);
        if (this.out.isTerminal) this.out.write('\n');
      }
      diff = this.ids.size - line;
      if (this.out.isTerminal && diff > 0) this.out.write(`\x1b[${diff}A`);
    } else {
      this.ids = new Map();
    }
    this.display(m);
    if (m.id && this.out.isTerminal && diff > 0) this.out.write(`\x1b[${diff}B`);
  }
}
