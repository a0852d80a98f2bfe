// The line Docker lacks under a pull or push: all layers together, with speed and time left
// (`Total: 123.4MB/262.1MB  45.6MB/s  ETA 3s`), redrawn as progress arrives; a summary when done.
import type { JsonMessage } from '../../client/types.js';
import type { ProgressRenderer } from './progress.js';
import { humanSize, goDuration } from './units.js';

const COUNTED = new Set(['Downloading', 'Pushing']);

export class TransferTotal {
  private readonly layers = new Map<string, { current: number; total: number }>();
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(private readonly renderer: ProgressRenderer, private readonly terminal: boolean) {}

  /** Feeds one message through, then redraws the total line (at most 10 times a second). */
  push(m: JsonMessage): void {
    this.renderer.push(m);
    if (!m.id || m.id === 'Total') return;
    const p = m.progressDetail;
    if (m.status && COUNTED.has(m.status) && p?.total) this.layers.set(m.id, { current: p.current ?? 0, total: p.total });
    else if (m.status === 'Download complete' || m.status === 'Pushed') { const l = this.layers.get(m.id); if (l) l.current = l.total; }
    else return;
    const now = Date.now();
    if (!this.terminal || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.renderer.push({ id: 'Total', status: this.text(now), progressDetail: {} });
  }

  private sums(): { current: number; total: number } {
    let current = 0;
    let total = 0;
    for (const l of this.layers.values()) { current += l.current; total += l.total; }
    return { current, total };
  }

  private text(now: number): string {
    const { current, total } = this.sums();
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const speed = current / secs;
    const eta = speed > 0 && current < total ? `  ETA ${goDuration((total - current) / speed)}` : '';
    return `${humanSize(current)}/${humanSize(total)}  ${humanSize(speed)}/s${eta}`;
  }

  /** `Total: 262.1MB in 1.2s (218MB/s)`, once the stream ended (terminals only: scripts parse the rest). */
  summary(): string | undefined {
    const { current } = this.sums();
    if (!this.terminal || current === 0) return undefined;
    const secs = Math.max(0.001, (Date.now() - this.started) / 1000);
    return `Total: ${humanSize(current)} in ${goDuration(secs)} (${humanSize(current / secs)}/s)\n`;
  }
}
