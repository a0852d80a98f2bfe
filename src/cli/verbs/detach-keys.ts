// Docker's detach sequence (default ctrl-p,ctrl-q) for `run -it` / `start -ai`: bytes typed on stdin are
// forwarded until the whole sequence is seen, then the CLI lets go of the container and exits 0. A
// partial match is held back and flushed if the next byte does not continue it.
import { UsageError } from '../flags.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** Parses docker's `--detach-keys` format: comma-separated `ctrl-<x>` or single characters. */
export function parseDetachKeys(spec: string): Buffer {
  const bytes: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim();
    const ctrl = /^ctrl-(.)$/i.exec(k);
    if (ctrl) {
      const c = ctrl[1].toLowerCase();
      if (c >= 'a' && c <= 'z') bytes.push(c.charCodeAt(0) - 96);
      else if (c === '@') bytes.push(0);
      else if ('[\\]^_'.includes(c)) bytes.push(27 + '[\\]^_'.indexOf(c));
      else throw new UsageError(`Invalid escape keys (${spec}) provided`, 1);
    } else if (k.length === 1) bytes.push(k.charCodeAt(0));
    else throw new UsageError(`Invalid escape keys (${spec}) provided`, 1);
  }
  return Buffer.from(bytes);
}

export class DetachDetector {
  private matched = 0;
  constructor(private readonly keys: Buffer) {}

  /** Returns the bytes to forward now, and whether the detach sequence completed. */
  push(chunk: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      // Not the sequence after all: release what was held, then look at this byte afresh.
      for (let i = 0; i < this.matched; i++) out.push(this.keys[i]);
      this.matched = 0;
      if (b === this.keys[0]) { this.matched = 1; if (this.keys.length === 1) return { forward: Buffer.from(out), detach: true }; } else out.push(b);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
