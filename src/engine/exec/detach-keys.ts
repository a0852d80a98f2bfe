// Docker's detach keys (`--detach-keys`, default Ctrl-P Ctrl-Q): a byte sequence in a tty session's
// stdin that detaches the client and leaves the process running. Bytes of a partial match are held back
// and released when the sequence breaks, as Docker's copyEscapable does.
import { PassThrough, type Readable } from 'node:stream';
import { invalidArgument } from '../../errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** "ctrl-p,ctrl-q" → [16, 17]; "ctrl-a..z", "ctrl-@[\\]^_", or single characters. */
export function parseDetachKeys(spec: string): number[] {
  const out: number[] = [];
  for (const raw of spec.split(',')) {
    const k = raw.trim().toLowerCase();
    if (k.length === 1) { out.push(raw.trim().charCodeAt(0)); continue; }
    const m = /^ctrl-(.)$/.exec(k);
    if (!m) throw invalidArgument(`Invalid detach keys (${spec}) provided`);
    const c = m[1];
    if (c >= 'a' && c <= 'z') out.push(c.charCodeAt(0) - 96);
    else if ('@[\\]^_'.includes(c)) out.push('@[\\]^_'.indexOf(c) === 0 ? 0 : 27 + '[\\]^_'.indexOf(c));
    else throw invalidArgument(`Invalid detach keys (${spec}) provided`);
  }
  if (out.length === 0) throw invalidArgument(`Invalid detach keys (${spec}) provided`);
  return out;
}

export class DetachKeyFilter {
  private matched = 0;
  constructor(private readonly keys: number[]) {}

  /** The bytes to forward, and whether the sequence was completed (then the rest is dropped). */
  push(chunk: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      if (this.matched > 0) { out.push(...this.keys.slice(0, this.matched)); this.matched = 0; }
      if (b === this.keys[0]) { this.matched = 1; if (this.keys.length === 1) return { forward: Buffer.from(out), detach: true }; continue; }
      out.push(b);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}

/** `source` with the detach keys taken out: `onDetach` is called (and the output ends) when they are typed. */
export function withDetachKeys(source: Readable, keys: number[], onDetach: () => void): Readable {
  const filter = new DetachKeyFilter(keys);
  const out = new PassThrough();
  source.on('data', (c: Buffer) => {
    if (out.writableEnded) return;
    const { forward, detach } = filter.push(c);
    if (forward.length) out.write(forward);
    if (detach) { out.end(); onDetach(); }
  });
  source.on('end', () => { if (!out.writableEnded) out.end(); });
  source.resume();
  return out;
}
