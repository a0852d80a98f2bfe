// Filters of GET /volumes and POST /volumes/prune, as Docker matches them.
import { invalidArgument } from '../errors.js';
import type { VolumeRecord } from './types.js';
import { ANONYMOUS_LABEL } from './types.js';
import { checkFilterKeys as checkKeys, type Filters } from '../model/filters.js';

export type { Filters };

function boolFilter(f: Filters, key: string): boolean | undefined {
  const vals = f[key];
  if (!vals || vals.length === 0) return undefined;
  const v = vals[vals.length - 1];
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidArgument(`invalid filter '${key}=${v}'`);
}

/** `label=k` (present) or `label=k=v` (equal). */
export function labelMatches(labels: Record<string, string> | null, spec: string): boolean {
  const i = spec.indexOf('=');
  const l = labels ?? {};
  if (i < 0) return spec in l;
  return l[spec.slice(0, i)] === spec.slice(i + 1);
}

/** Docker's name filter is a regular expression matched anywhere in the name. */
function nameMatches(name: string, pattern: string): boolean {
  try { return new RegExp(pattern).test(name); } catch { return name.includes(pattern); }
}

export function listFilter(f: Filters, inUse: (name: string) => boolean): (v: VolumeRecord) => boolean {
  checkKeys(f, ['dangling', 'name', 'driver', 'label']);
  const dangling = boolFilter(f, 'dangling');
  return (v) => (dangling === undefined || dangling === !inUse(v.Name))
    && (!f.name?.length || f.name.some((n) => nameMatches(v.Name, n)))
    && (!f.driver?.length || f.driver.includes(v.Driver))
    && (!f.label?.length || f.label.every((l) => labelMatches(v.Labels, l)));
}

/** Unused volumes to prune: anonymous ones only unless `all=true` (Docker ≥ 23). */
export function pruneFilter(f: Filters): (v: VolumeRecord) => boolean {
  checkKeys(f, ['label', 'label!', 'all']);
  const all = boolFilter(f, 'all') ?? false;
  return (v) => (all || (!!v.Labels && ANONYMOUS_LABEL in v.Labels))
    && (!f.label?.length || f.label.every((l) => labelMatches(v.Labels, l)))
    && (!f['label!']?.length || f['label!'].every((l) => !labelMatches(v.Labels, l)));
}
