// The daemon's side of Docker's detach keys: API clients' stdin for a TTY session is filtered here
// (the matching itself is shared with the CLI, src/util/detach-keys.ts).
import { PassThrough, type Readable } from 'node:stream';
import { invalidArgument } from '../../errors.js';
import { DetachKeyMatcher, parseDetachKeySpec } from '../../util/detach-keys.js';

export { DEFAULT_DETACH_KEYS } from '../../util/detach-keys.js';

/** Parses `detachKeys` of an API request, with dockerd's message for a bad one. */
export function parseDetachKeys(spec: string): number[] {
  const keys = parseDetachKeySpec(spec);
  if (!keys) throw invalidArgument(`Invalid detach keys (${spec}) provided`);
  return keys;
}

/** `source` with the detach keys taken out: `onDetach` is called (and the output ends) when they are typed. */
export function withDetachKeys(source: Readable, keys: number[], onDetach: () => void): Readable {
  const filter = new DetachKeyMatcher(keys);
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
