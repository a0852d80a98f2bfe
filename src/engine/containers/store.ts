// The container store: every container's record in memory, persisted crash-safe as
// <dataRoot>/containers/<id>/container.json; unique names; resolution by full ID, name or ID prefix.
import { readdirSync, existsSync, rmSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { conflict, invalidArgument, notFound } from '../../errors.js';
import { readJsonSync, writeFileAtomic } from '../../util/atomic-file.js';
import { validContainerName } from '../../util/ids.js';
import { log } from '../../util/log.js';
import { generateName } from './names.js';
import type { ContainerPaths } from './paths.js';
import type { ContainerRecord } from '../../model/container.js';

export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly idByName = new Map<string, string>();
  private seq = 0;

  constructor(private readonly paths: ContainerPaths) {}

  /** Loads every record; a directory without a readable record is a half-done create and is removed. */
  load(): ContainerRecord[] {
    const dir = this.paths.containersDir;
    if (!existsSync(dir)) return [];
    for (const id of readdirSync(dir)) {
      try {
        const rec = readJsonSync<ContainerRecord>(this.paths.record(id));
        this.byId.set(rec.Id, rec);
        this.idByName.set(rec.Name, rec.Id);
      } catch (err) {
        log.warn('removing container directory without a valid record (interrupted create)', { id, err: String(err) });
        rmSync(this.paths.dir(id), { recursive: true, force: true });
      }
    }
    return [...this.byId.values()];
  }

  all(): ContainerRecord[] { return [...this.byId.values()]; }

  get(id: string): ContainerRecord | undefined { return this.byId.get(id); }

  /** Docker's lookup order: full ID, exact name, then unique ID prefix. */
  resolve(ref: string): ContainerRecord {
    const direct = this.byId.get(ref);
    if (direct) return direct;
    const byName = this.idByName.get(ref.startsWith('/') ? ref : '/' + ref);
    if (byName) return this.byId.get(byName)!;
    if (/^[0-9a-f]+$/.test(ref)) {
      const hits = [...this.byId.keys()].filter((id) => id.startsWith(ref));
      if (hits.length === 1) return this.byId.get(hits[0])!;
      if (hits.length > 1) throw invalidArgument(`multiple IDs found with provided prefix: ${ref}`);
    }
    throw notFound(`No such container: ${ref}`);
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

  async add(rec: ContainerRecord): Promise<void> {
    await mkdir(this.paths.dir(rec.Id), { recursive: true, mode: 0o710 });
    this.byId.set(rec.Id, rec);
    this.idByName.set(rec.Name, rec.Id);
    await this.saveDurable(rec);
  }

  /** Writes the record crash-safe (temp file, fsync, rename): for a new container. */
  async saveDurable(rec: ContainerRecord): Promise<void> {
    await writeFileAtomic(this.paths.record(rec.Id), JSON.stringify(rec));
  }

  /**
   * State changes: temp file + rename without fsync. A berthd crash cannot tear the file (the page
   * cache survives it); after a host crash no container runs any more and recovery marks them exited,
   * so an older state on disk is harmless. Saves two fsyncs on every `docker run`.
   */
  async save(rec: ContainerRecord): Promise<void> {
    const target = this.paths.record(rec.Id);
    const tmp = `${target}.${process.pid}.${++this.seq}.tmp`;
    await writeFile(tmp, JSON.stringify(rec), { mode: 0o600 });
    await rename(tmp, target);
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
