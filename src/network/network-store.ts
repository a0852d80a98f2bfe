// Networks on disk: one JSON file per network under <dataRoot>/network/networks, plus the predefined
// `host` and `none` networks, which have fixed records.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { notFound } from '../errors.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import type { NetworkRecord } from '../model/network.js';

export function blankNetwork(name: string, id: string, driver: string): NetworkRecord {
  return {
    Name: name, Id: id, Created: new Date().toISOString(), Scope: 'local', Driver: driver, EnableIPv4: true, EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] }, Internal: false, Attachable: false, Ingress: false,
    ConfigFrom: { Network: '' }, ConfigOnly: false, Options: {}, Labels: {},
  };
}

export class NetworkStore {
  private readonly byId = new Map<string, NetworkRecord>();

  constructor(readonly dir: string) {}

  load(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        const rec = JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as NetworkRecord;
        this.byId.set(rec.Id, rec);
      } catch { /* a torn file from a crash: skipped */ }
    }
  }

  all(): NetworkRecord[] { return [...this.byId.values()]; }

  byName(name: string): NetworkRecord | undefined {
    return this.all().find((n) => n.Name === name);
  }

  /** Docker's lookup order: full ID, exact name, then a unique ID prefix. */
  find(ref: string): NetworkRecord | undefined {
    const exact = this.byId.get(ref) ?? this.byName(ref);
    if (exact) return exact;
    const matches = this.all().filter((n) => n.Id.startsWith(ref));
    return ref && matches.length === 1 ? matches[0] : undefined;
  }

  get(ref: string): NetworkRecord {
    const n = this.find(ref);
    if (!n) throw notFound(`network ${ref} not found`);
    return n;
  }

  save(rec: NetworkRecord, persist = true): void {
    this.byId.set(rec.Id, rec);
    if (persist) writeFileAtomicSync(join(this.dir, `${rec.Id}.json`), JSON.stringify(rec, null, 1));
  }

  remove(rec: NetworkRecord): void {
    this.byId.delete(rec.Id);
    rmSync(join(this.dir, `${rec.Id}.json`), { force: true });
  }
}
