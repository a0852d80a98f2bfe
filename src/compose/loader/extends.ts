// `extends:` — a service built on another one, from the same model or from another file (loaded in its
// own directory). The base is resolved first (chains allowed, cycles refused), then the local service
// is merged over it.
import { dirname } from 'node:path';
import { invalidFile } from '../errors.js';
import { canonicalFile } from './canonical.js';
import type { Lookup } from './interpolate.js';
import { interpolateTree } from './interpolate.js';
import { mergeService } from './merge.js';
import { validateComposeDict } from './validate.js';
import { isDict, readComposeFile, type Dict } from './yaml-file.js';

function loadFileServices(file: string, lookup: Lookup, cache: Map<string, Dict>): Dict {
  let services = cache.get(file);
  if (!services) {
    const raw = interpolateTree(readComposeFile(file), lookup) as Dict;
    validateComposeDict(raw, file);
    services = (canonicalFile(raw, dirname(file)).services ?? {}) as Dict;
    cache.set(file, services);
  }
  return services;
}

function resolveOne(name: string, services: Dict, file: string, lookup: Lookup, cache: Map<string, Dict>, seen: string[]): Dict {
  const key = `${file}#${name}`;
  if (seen.includes(key)) throw invalidFile(`circular reference with extends in service ${name}`);
  const svc = services[name];
  if (!isDict(svc)) throw invalidFile(`cannot extend service "${name}" in ${file}: service not found`);
  if (!isDict(svc.extends)) return svc;
  const ext = svc.extends;
  const baseFile = typeof ext.file === 'string' ? ext.file : file;
  const baseServices = baseFile === file ? services : loadFileServices(baseFile, lookup, cache);
  const base = resolveOne(String(ext.service), baseServices, baseFile, lookup, cache, [...seen, key]);
  const { extends: _drop, ...local } = svc;
  // The base's depends_on is not inherited across files (docker compose drops links and dependencies
  // that name services of the other file).
  const inherited = baseFile === file ? base : (({ depends_on: _d, ...rest }) => rest)(base);
  return mergeService(inherited, local);
}

/** Replaces every service that extends another with the merged result. */
export function resolveExtends(services: Dict, file: string, lookup: Lookup): Dict {
  const cache = new Map<string, Dict>();
  const out: Dict = {};
  for (const name of Object.keys(services)) out[name] = resolveOne(name, services, file, lookup, cache, []);
  return out;
}
