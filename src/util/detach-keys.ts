// Docker's detach keys (`--detach-keys`, default Ctrl-P Ctrl-Q): a byte sequence typed into a TTY session
// that detaches the client and leaves the process running. Shared by the CLI (which watches what the user
// types) and the daemon (which watches what API clients send); each layer words its own error.

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** "ctrl-p,ctrl-q" → [16, 17]; `ctrl-a`..`ctrl-z`, `ctrl-@[\]^_`, or single characters. Undefined when malformed. */
export function parseDetachKeySpec(spec: string): number[] | undefined {
  const out: number[] = [];
  for (const raw of spec.split(',')) {
    const key = raw.trim();
    if (key.length === 1) { out.push(key.charCodeAt(0)); continue; }
    const m = /^ctrl-(.)$/i.exec(key);
    if (!m) return undefined;
    const c = m[1].toLowerCase();
    if (c >= 'a' && c <= 'z') out.push(c.charCodeAt(0) - 96);
    else if (c === '@') out.push(0);
    else if ('[\\]^_'.includes(c)) out.push(27 + '[\\]^_'.indexOf(c));
    else return undefined;
  }
  return out.length ? out : undefined;
}

/**
 * Finds the sequence in a byte stream. Bytes of a partial match are held back and released when the
 * sequence breaks, as Docker's copyEscapable does.
 */
export class DetachKeyMatcher {
  private matched = 0;
  constructor(private readonly keys: ArrayLike<number>) {}

  /** The bytes to forward now, and whether the sequence completed (what follows it is dropped). */
  push(chunk: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      for (let i = 0; i < this.matched; i++) out.push(this.keys[i]);
      this.matched = 0;
      if (b === this.keys[0]) {
        this.matched = 1;
        if (this.keys.length === 1) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      out.push(b);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
