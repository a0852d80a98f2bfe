// Typed reads of query parameters: booleans, integers, enums and Docker's `filters` JSON. A value that
// does not parse is a 400 naming the parameter, never a NaN or a silent default.
import { invalidArgument } from '../../errors.js';

const TRUE = new Set(['1', 't', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'f', 'false', 'no', 'none', 'off']);

/** Docker's boolean query values (1/true/True/yes, 0/false/no/none); absent or empty gives `dflt`. */
export function boolQuery(q: URLSearchParams, name: string, dflt = false): boolean {
  const raw = q.get(name);
  if (raw === null) return dflt;
  const v = raw.trim().toLowerCase();
  if (v === '') return dflt;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw invalidArgument(`invalid boolean value for ${name}: "${raw}"`);
}

/** An integer query value (optionally signed); absent or empty gives undefined. */
export function intQuery(q: URLSearchParams, name: string, range: { min?: number; max?: number } = {}): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const v = raw.trim();
  if (!/^[+-]?\d{1,15}$/.test(v)) throw invalidArgument(`invalid value for ${name}: "${raw}" is not an integer`);
  const n = Number(v);
  if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
    throw invalidArgument(`invalid value for ${name}: ${n} is out of range`);
  }
  return n;
}

/** One of a fixed set of values; absent or empty gives `dflt`. */
export function enumQuery<T extends string>(q: URLSearchParams, name: string, values: readonly T[], dflt: T): T {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  if (!(values as readonly string[]).includes(v)) throw invalidArgument(`invalid value for ${name}: "${v}" (one of ${values.join(', ')})`);
  return v as T;
}

import { checkFilterKeys, type Filters } from '../../model/filters.js';

export { checkFilterKeys, type Filters };

/** Docker's `filters` query: `{"label":{"a=b":true}}` (current) or `{"label":["a=b"]}` (old clients). */
export function filtersQuery(q: URLSearchParams): Filters {
  const raw = q.get('filters');
  if (!raw) return {};
  let parsed: unknown;
  try { parsed = JSON.parse(raw); } catch { throw invalidArgument(`invalid filter '${raw}': not valid JSON`); }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidArgument(`invalid filter '${raw}': must be a JSON object`);
  const out: Filters = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) out[k] = v as string[];
    else if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((b) => typeof b === 'boolean')) {
      out[k] = Object.entries(v as Record<string, boolean>).filter(([, on]) => on).map(([s]) => s);
    } else throw invalidArgument(`invalid filter '${k}': values must be a list of strings or a map of booleans`);
  }
  return out;
}
