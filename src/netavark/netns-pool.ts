// A small pool of network namespaces already set up on one network by netavark (veth on the bridge,
// address, MAC, routes), so that a container starting there pays nothing for its network: it takes a
// ready namespace and the pool makes the next one in the background.
//
// Each entry is a file in the pool's directory, written before netavark runs. Handing an entry out is a
// rename of that file into the taker's directory, so an entry belongs to exactly one owner at any
// moment, also across a crash. Entries are never reused: on start-up every file still in the pool's
// directory (ready, half-made or being handed out when berthd died) is torn down, and the pool is
// filled afresh. The pool knows nothing about containers; the caller plans and runs the set-up.
//
// A namespace a container is done with may come back (giveBack) when the caller knows nothing of the
// container can have changed it: a loop of short containers then runs no netavark at all. The pool
// refills only once it is down to half its size, so a namespace coming back is not raced by a new one.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { log } from '../util/log.js';
import type { NetavarkOptions } from './netavark.js';

/** One ready namespace: what netavark was given (to tear it down with) and what it answered. */
export interface PoolEntry {
  id: string;
  nsPath: string;
  networkId: string;
  /** The key the entry is saved under for its taker (the network's name in NetworkSettings.Networks). */
  key: string;
  options: NetavarkOptions;
  ip: string;
  mac: string;
}

export interface PoolDriver {
  /** Chooses the entry's address and builds its netavark options (synchronously: the address is taken at once). */
  plan(id: string): PoolEntry;
  /** Creates the namespace and runs netavark's set-up; resolves with the MAC netavark reported. */
  setup(entry: PoolEntry): Promise<string>;
  /** netavark's teardown and the namespace's removal. */
  destroy(entry: PoolEntry): Promise<void>;
  /** Removes one entry while others stay ready on the network (deleting the namespace is enough). */
  discard(entry: PoolEntry): Promise<void>;
}

export class NetnsPool {
  private readonly ready: PoolEntry[] = [];
  /** Planned and being set up: its address is taken. */
  private pending?: PoolEntry;
  private filling?: Promise<void>;
  private closed = false;

  constructor(private readonly dir: string, private readonly size: number, private readonly driver: PoolDriver) {}

  /** Addresses held by the pool (ready or being made). */
  ips(): string[] {
    return [...this.ready.map((e) => e.ip), ...(this.pending ? [this.pending.ip] : [])];
  }

  get readyCount(): number { return this.ready.length; }

  private file(id: string): string { return join(this.dir, `${id}.json`); }

  /**
   * A ready entry, moved to `dest` (its file becomes the taker's); undefined when none is ready. The
   * pool starts making the next one at once.
   */
  async take(dest: string): Promise<PoolEntry | undefined> {
    const entry = this.ready.shift();
    if (this.ready.length <= this.size / 2) this.refill();
    if (!entry) return undefined;
    await rename(this.file(entry.id), dest);
    return entry;
  }

  /**
   * Takes back a namespace that was handed out (its file at `from`, moved back into the pool's
   * directory). False when the pool is full or closed: the caller deletes the namespace itself.
   */
  async giveBack(entry: PoolEntry, from: string): Promise<boolean> {
    if (this.closed || this.ready.length >= this.size) return false;
    // Counted at once, so a second give-back in the same tick sees the pool as it will be.
    this.ready.push(entry);
    try {
      await rename(from, this.file(entry.id));
    } catch (err) {
      this.ready.splice(this.ready.indexOf(entry), 1);
      log.debug('netns pool: give-back failed', { err: errorMessage(err) });
      return false;
    }
    return true;
  }

  /** Makes entries in the background until `size` are ready (one at a time). */
  refill(): void {
    if (this.filling || this.closed || this.size <= 0) return;
    this.filling = (async () => {
      while (!this.closed && this.ready.length < this.size) {
        const ok = await this.makeOne();
        if (!ok) break; // netavark failed: try again on the next take, not in a tight loop
      }
    })().finally(() => { this.filling = undefined; });
  }

  private async makeOne(): Promise<boolean> {
    let entry: PoolEntry;
    try { entry = this.driver.plan(randomBytes(32).toString('hex')); } catch (err) {
      log.debug('netns pool: no address for a pooled namespace', { err: errorMessage(err) });
      return false;
    }
    this.pending = entry;
    const file = this.file(entry.id);
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(file, JSON.stringify(entry)); // before set-up: a crash half-way is still torn down
      entry.mac = await this.driver.setup(entry);
      await writeFileAtomic(file, JSON.stringify(entry));
      if (this.closed) throw new Error('pool closed');
      if (this.ready.length >= this.size) { // namespaces came back meanwhile: this one is one too many
        await this.driver.discard(entry);
        await rm(file, { force: true });
        return true;
      }
      this.ready.push(entry);
      return true;
    } catch (err) {
      if (!this.closed) log.warn('netns pool: set-up failed', { err: errorMessage(err) });
      await this.driver.destroy(entry).catch(() => undefined);
      await rm(file, { force: true });
      return false;
    } finally {
      this.pending = undefined;
    }
  }

  /** Tears down whatever a previous berthd left in the pool's directory (never handed out again). */
  async sweep(): Promise<number> {
    let all: string[] = [];
    try { all = await readdir(this.dir); } catch { return 0; }
    // A temp file of an interrupted atomic write: the entry it was for is still (or never was) in its .json.
    for (const n of all) if (n.startsWith('.') && n.endsWith('.tmp')) await rm(join(this.dir, n), { force: true });
    const names = all.filter((n) => n.endsWith('.json'));
    for (const n of names) {
      const file = join(this.dir, n);
      try {
        const entry = JSON.parse(await readFile(file, 'utf8')) as PoolEntry;
        await this.driver.destroy(entry);
      } catch (err) {
        log.warn('netns pool: leftover teardown failed', { file: n, err: errorMessage(err) });
      }
      await rm(file, { force: true });
    }
    return names.length;
  }

  /** Stops filling and tears down every ready entry (daemon shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await this.filling;
    const entries = this.ready.splice(0);
    for (const e of entries) {
      await this.driver.destroy(e).catch(() => undefined);
      await rm(this.file(e.id), { force: true });
    }
  }
}
