// `--filter key=value` flags into the Engine API's filters map.
import { UsageError } from '../flags.js';
import type { Filters } from '../../client/types.js';

export function parseFilterFlags(values: string[]): Filters {
  const out: Filters = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i < 0) throw new UsageError(`invalid argument "${v}" for "-f, --filter" flag: bad format of filter (expected name=value)`);
    const key = v.slice(0, i).trim().toLowerCase();
    (out[key] ??= []).push(v.slice(i + 1));
  }
  return out;
}
