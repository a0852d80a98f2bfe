// The container store: every container's record in memory, persisted crash-safe as
// <dataRoot>/containers/<id>/container.json; unique names; resolution by full ID, name or ID prefix.
import { readdirSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { conflict, errorMessage, invalidArgument, notFound } from '../../errors.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { validContainerName } from '../../util/ids.js';
import { log } from '../../util/log.js';
import { generateName } from './names.js';
import { resolveLinkName } from './links.js';
import { isCreateScaffold, listQuarantined, quarantineContainer, sweepTempRecords, type QuarantinedContainer } from './quarantine.js';
import type { ContainerPaths } from './paths.js';
import type { ContainerRecord } from '../../model/container.js';

export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly idByName = new Map<string, string>();
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly paths: ContainerPaths) {}

  /**
   * Loads every record. A directory without a record is an interrupted create: removed only when it holds
   * nothing but create's scaffolding. A record that cannot be read or is not a container record is
   * never deleted: its directory is set aside (quarantine.ts) with all its files.
   */
  load(): ContainerRecord[] {
    const dir = this.paths.containersDir;
    if (!existsSync(dir)) return [];
    for (const id of readdirSync(dir)) {
      const cdir = this.paths.dir(id);
      let rec: ContainerRecord;
      try {
        sweepTempRecords(cdir);
        if (!existsSync(this.paths.record(id)) && isCreateScaffold(cdir)) {
          log.warn('removing the directory of an interrupted create', { id });
          rmSync(cdir, { recursive: true, force: true });
          continue;
        }
        rec = parseRecord(readFileSync(this.paths.record(id), 'utf8'), id);
      } catch (err) {
        try { quarantineContainer(this.paths.dataRoot, id, cdir, errorMessage(err)); } catch (qerr) {
          log.error('could not set an unreadable container aside; left in place', { id, err: errorMessage(qerr) });
        }
        continue;
      }
      this.byId.set(rec.Id, rec);
      this.idByName.set(rec.Name, rec.Id);
    }
    return [...this.byId.values()];
  }

  /** Containers set aside at this start-up or earlier ones (for `berth system check`). */
  quarantinedList(): QuarantinedContainer[] { return listQuarantined(this.paths.dataRoot); }

  all(): ContainerRecord[] { return [...this.byId.values()]; }

  get(id: string): ContainerRecord | undefined { return this.byId.get(id); }

  /** Docker's lookup order: full ID, exact name, then unique ID prefix. */
  resolve(ref: string): ContainerRecord {
    const direct = this.byId.get(ref);
    if (direct) return direct;
    const byName = this.idByName.get(ref.startsWith('/') ? ref : '/' + ref);
    // A name held by a create in flight has no record yet: Docker answers "No such container" for it.
    if (byName) { const rec = this.byId.get(byName); if (rec) return rec; throw notFound(`No such container: ${ref}`); }
    const linked = resolveLinkName(this, ref); // `parent/alias` names the link's target, as in dockerd
    if (linked) return linked;
    if (/^[0-9a-f]+$/.test(ref)) {
      const hits = [...this.byId.keys()].filter((id) => id.startsWith(ref));
      if (hits.length === 1) return this.byId.get(hits[0])!;
      if (hits.length > 1) throw invalidArgument(`multiple IDs found with provided prefix: ${ref}`);
    }
    throw notFound(`No such container: ${ref}`);
  }

  /** The container with this exact name (`/name`). */
  byName(name: string): ContainerRecord | undefined {
    const id = this.idByName.get(name);
    return id ? this.byId.get(id) : undefined;
  }

  /** Reserves a name (given or generated) for `id`; Docker's conflict message when taken. */
  reserveName(id: string, wanted: string | undefined): string {
    if (wanted) {
      if (!validContainerName.test(wanted)) throw invalidArgument(`Invalid container name (${wanted}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      const name = wanted.startsWith('/') ? wanted : '/' + wanted;
      const owner = this.idByName.get(name);
      if (owner && owner !== id) {
        throw conflict(`Conflict. The container name "${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
      this.idByName.set(name, id);
      return name;
    }
    for (let i = 0; i < 20; i++) {
      const name = '/' + generateName(i > 5 ? i : 0);
      if (!this.idByName.has(name)) { this.idByName.set(name, id); return name; }
    }
    throw conflict('could not generate a unique container name');
  }

  releaseName(name: string, id: string): void {
    if (this.idByName.get(name) === id) this.idByName.delete(name);
  }

  /** Stores a new container: its record is on disk (crash-safe) before anyone can look it up or remove it. */
  async add(rec: ContainerRecord): Promise<void> {
    await mkdir(this.paths.dir(rec.Id), { recursive: true, mode: 0o710 });
    await writeFileAtomic(this.paths.record(rec.Id), JSON.stringify(rec));
    this.byId.set(rec.Id, rec);
    this.idByName.set(rec.Name, rec.Id);
  }

  /**
   * Every record write is crash-safe (util/atomic-file: temp + fsync + rename + directory fsync), and the
   * writes of one container run one after another, each serializing the record when its turn comes, so
   * the file never goes back to an older state. Measured cost: docs/state.md.
   */
  save(rec: ContainerRecord): Promise<void> {
    const prev = this.writes.get(rec.Id) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(async () => {
      if (this.byId.get(rec.Id) !== rec) return; // removed meanwhile: its directory is gone
      await writeFileAtomic(this.paths.record(rec.Id), JSON.stringify(rec));
    });
    this.writes.set(rec.Id, next);
    void next.finally(() => { if (this.writes.get(rec.Id) === next) this.writes.delete(rec.Id); }).catch(() => undefined);
    return next;
  }

  /** Resolves once no write of `id` is in progress (a removal moves the directory only then). */
  async idle(id: string): Promise<void> {
    await this.writes.get(id)?.catch(() => undefined);
  }

  forget(rec: ContainerRecord): void {
    this.byId.delete(rec.Id);
    this.releaseName(rec.Name, rec.Id);
  }

  rename(rec: ContainerRecord, newName: string): string {
    const name = this.reserveName(rec.Id, newName);
    this.releaseName(rec.Name, rec.Id);
    return name;
  }
}

/** A record as written by save(), or an error saying what is wrong with it. */
export function parseRecord(text: string, id: string): ContainerRecord {
  const rec = JSON.parse(text) as Partial<ContainerRecord> | null;
  const bad = (what: string) => new Error(`record is not a container record: ${what}`);
  if (!rec || typeof rec !== 'object' || Array.isArray(rec)) throw bad('not an object');
  if (rec.Id !== id) throw bad(`Id ${JSON.stringify(rec.Id)} is not the directory's ${id}`);
  if (typeof rec.Name !== 'string' || !rec.Name.startsWith('/')) throw bad('Name');
  if (!rec.State || typeof rec.State !== 'object' || typeof rec.State.Status !== 'string') throw bad('State');
  if (!rec.Config || typeof rec.Config !== 'object' || !rec.HostConfig || typeof rec.HostConfig !== 'object') throw bad('Config/HostConfig');
  if (typeof rec.Image !== 'string' || !Array.isArray(rec.LayerDirs) || typeof rec.Runtime !== 'string') throw bad('Image/LayerDirs/Runtime');
  return rec as ContainerRecord;
}
