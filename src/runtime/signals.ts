// Signal names and numbers as Docker accepts them: "SIGTERM", "TERM", "15".
import { constants } from 'node:os';
import { invalidArgument } from '../errors.js';

const SIGNALS = constants.signals as Record<string, number>;

export function parseSignal(value: string | undefined, fallback: string): number {
  const v = (value ?? '').trim() || fallback;
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    if (n < 1 || n > 64) throw invalidArgument(`Invalid signal: ${v}`);
    return n;
  }
  const upper = v.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const rt = /^SIGRTMIN\+(\d+)$/.exec(name);
  if (rt) return 34 + Number(rt[1]);
  const n = SIGNALS[name];
  if (n === undefined) throw invalidArgument(`Invalid signal: ${v}`);
  return n;
}
