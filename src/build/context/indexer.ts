// The daemon's side of the context indexer: one long-lived worker thread (started with the build service,
// unref'd) that indexes every context as it is received. Each body's bytes are copied to the worker with
// a bounded window in flight; the caller keeps its own chunks (they are the unpack pass's input). Where no
// worker can run, the index pass runs here instead.
import { Worker } from 'node:worker_threads';
import { Readable } from 'node:stream';
import { internal, invalidArgument } from '../../errors.js';
import { log } from '../../util/log.js';
import { indexContext, type ContextIndex } from './context-index.js';
import type { FromIndexer, ToIndexer } from './indexer-protocol.js';

/** Bytes sent to the worker and not yet taken by its parser; past this the sender waits. */
const WINDOW = 8 << 20;
/** Chunks are copied into batches of this size: a few large messages cost less than many small ones. */
const BATCH = 1 << 20;

interface Pending { resolve(r: ContextIndex): void; reject(e: Error): void; acked(bytes: number): void }

export interface IndexJob {
  /** Hands a chunk over; resolves when the window has room again. */
  push(chunk: Buffer): Promise<void>;
  /** No more bytes: resolves with the index. */
  end(): Promise<ContextIndex>;
  abort(): void;
}

export class ContextIndexer {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private broken: boolean;

  /** `useWorker` false: index on this thread (tests, and hosts without worker threads). */
  constructor(useWorker = true) { this.broken = !useWorker; }

  /** Starts the worker ahead of the first build (its start-up is not a build's cost). */
  warm(): void { this.ensure(); }

  private ensure(): Worker | undefined {
    if (this.worker || this.broken) return this.worker;
    try {
      const w = new Worker(new URL('./index-worker.js', import.meta.url));
      w.on('message', (m: FromIndexer) => this.onMessage(m));
      w.on('error', (err) => this.fail(w, err));
      w.on('exit', (code) => this.fail(w, new Error(`context indexer exited with code ${code}`)));
      w.unref(); // idle it keeps nothing alive (after the listeners: adding a 'message' listener refs it again)
      this.worker = w;
    } catch (err) {
      this.broken = true;
      log.warn('context indexer worker unavailable, indexing on the main thread', { err: (err as Error).message });
    }
    return this.worker;
  }

  private fail(w: Worker, err: Error): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(internal(`indexing the build context failed: ${err.message}`, err));
    this.pending.clear();
  }

  private onMessage(m: FromIndexer): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.t === 'ack') { p.acked(m.bytes); return; }
    this.forget(m.id);
    if (m.t === 'done') p.resolve(m.result);
    else p.reject(m.invalid ? invalidArgument(m.message) : internal(`indexing the build context failed: ${m.message}`));
  }

  /** A job is done: an idle worker is unref'd again. */
  private forget(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
  }

  start(wanted: string[]): IndexJob {
    const w = this.ensure();
    if (!w) return inProcessJob(wanted);
    const id = this.nextId++;
    const send = (m: ToIndexer, transfer?: ArrayBuffer[]) => w.postMessage(m, transfer);
    let inFlight = 0;
    let room: (() => void) | undefined;
    let settled: { ok: true; index: ContextIndex } | { ok: false; err: Error } | undefined;
    let finish: ((r: ContextIndex) => void) | undefined;
    let failFinish: ((e: Error) => void) | undefined;
    this.pending.set(id, {
      resolve: (index) => { settled = { ok: true, index }; finish?.(index); room?.(); },
      reject: (err) => { settled = { ok: false, err }; failFinish?.(err); room?.(); },
      acked: (bytes) => { inFlight -= bytes; if (inFlight <= WINDOW) room?.(); },
    });
    w.ref(); // while a job waits on it, the worker is what the process waits for
    send({ t: 'start', id, wanted });
    let batch: Buffer | undefined;
    let used = 0;
    const flush = () => {
      if (!batch || used === 0) return;
      const bytes = new Uint8Array(batch.buffer, batch.byteOffset, used);
      inFlight += used;
      send({ t: 'data', id, chunk: bytes }, [batch.buffer as ArrayBuffer]);
      batch = undefined;
      used = 0;
    };
    return {
      push: async (chunk) => {
        if (settled && !settled.ok) throw settled.err; // a bad context: stop receiving it
        // The caller keeps its chunk; the worker gets its own copy of the bytes, a batch at a time.
        for (let off = 0; off < chunk.length;) {
          batch ??= Buffer.allocUnsafeSlow(BATCH);
          const n = chunk.copy(batch, used, off);
          used += n;
          off += n;
          if (used === BATCH) flush();
        }
        if (inFlight > WINDOW) await new Promise<void>((r) => { room = r; }).finally(() => { room = undefined; });
      },
      end: () => {
        flush();
        send({ t: 'end', id });
        if (settled) return settled.ok ? Promise.resolve(settled.index) : Promise.reject(settled.err);
        return new Promise<ContextIndex>((resolve, reject) => { finish = resolve; failFinish = reject; });
      },
      abort: () => { this.forget(id); send({ t: 'abort', id }); },
    };
  }
}

/** The index pass on this thread (no worker threads available). */
function inProcessJob(wanted: string[]): IndexJob {
  const input = new Readable({ read() { /* pushed */ } });
  const result = indexContext(input, new Set(wanted));
  result.catch(() => input.resume());
  return {
    push: async (chunk) => { input.push(chunk); },
    end: async () => { input.push(null); return await result; },
    abort: () => { input.destroy(); },
  };
}
