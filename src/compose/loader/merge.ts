// Merging canonical compose files in order (`-f a.yaml -f b.yaml`, and `extends`), with the Compose
// Specification's rules: mappings merge key by key, a later scalar wins, `command`/`entrypoint` and
// healthcheck `test` are replaced, ports and lists of strings are appended without duplicates, volumes
// merge by target, secrets/configs by source.
import { isDict, type Dict } from './yaml-file.js';

const REPLACED = new Set(['command', 'entrypoint', 'test', 'profiles']);

function unique<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => { const k = JSON.stringify(i); if (seen.has(k)) return false; seen.add(k); return true; });
}

function mergeByKey(a: Dict[], b: Dict[], key: string): Dict[] {
  const out = [...a];
  for (const item of b) {
    const i = out.findIndex((x) => x[key] === item[key]);
    if (i >= 0) out[i] = mergeValues(out[i], item, key) as Dict; else out.push(item);
  }
  return out;
}

function mergeValues(a: unknown, b: unknown, key: string): unknown {
  if (b === undefined) return a;
  if (REPLACED.has(key)) return b;
  if (isDict(a) && isDict(b)) return mergeDicts(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (key === 'volumes') return mergeByKey(a as Dict[], b as Dict[], 'target');
    if (key === 'secrets' || key === 'configs') return mergeByKey(a as Dict[], b as Dict[], 'source');
    return unique([...a, ...b]);
  }
  return b;
}

export function mergeDicts(a: Dict, b: Dict): Dict {
  const out: Dict = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in a ? mergeValues(a[k], v, k) : v;
  return out;
}

export function mergeService(base: Dict, over: Dict): Dict {
  const merged = mergeDicts(base, over);
  // A new build in an override replaces `image` semantics only where given; logging with another
  // driver drops the old driver's options, as docker compose does.
  if (isDict(base.logging) && isDict(over.logging) && over.logging.driver && over.logging.driver !== base.logging.driver) merged.logging = over.logging;
  return merged;
}

/** Merges whole files: services one by one, other top-level mappings key by key. */
export function mergeFiles(files: Dict[]): Dict {
  let out: Dict = {};
  for (const f of files) {
    const next: Dict = { ...out };
    for (const [k, v] of Object.entries(f)) {
      if (k === 'services' && isDict(v)) {
        const services: Dict = { ...((out.services ?? {}) as Dict) };
        for (const [name, svc] of Object.entries(v)) services[name] = name in services ? mergeService(services[name] as Dict, svc as Dict) : svc;
        next.services = services;
      } else if (isDict(v) && isDict(out[k])) {
        next[k] = { ...(out[k] as Dict), ...v };
      } else {
        next[k] = v;
      }
    }
    out = next;
  }
  return out;
}
