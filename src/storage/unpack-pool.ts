// Unpacking layers off the event loop: each layer goes to a worker thread of its own (decompress, diffID
// hash, safe extraction), so layers unpack in parallel on every core while berthd keeps answering. Idle
// workers are kept for a while (a build or a load applies many small layers in a row) and never keep
// berthd alive. A stream input is sent in chunks of a few hundred KB and paused while too much is
// unacknowledged; a file that a download appends to is read (and hashed) by the worker itself.
import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import { BerthError } from '../errors.js';
import type { Compression } from './layer-decompress.js';
import type { ToMain, ToWorker } from './unpack-protocol.js';

export interface UnpackResult {
  /** Bytes of regular-file content written. */
  size: number;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  /** sha256 of the uncompressed tar: the layer's diffID. */
  digest: string;
}

/** What a growing-file job adds: the sha256 of the file's bytes (the compressed blob's digest). */
export interface FileUnpackResult extends UnpackResult { blobDigest: string }

/** A running unpack of a file that is still being written. */
export interface FileUnpack {
  /** The file now holds at least `size` bytes. */
  grow(size: number): void;
  /** The file is complete at the size last announced. */
  end(): void;
  /** The writer failed: stop, and reject `result` with `err` once the worker is gone. */
  fail(err: unknown): void;
  result: Promise<FileUnpackResult>;
}

const WORKER_URL = new URL('./unpack-worker.js', import.meta.url);
const MAX_IDLE = 4;
const IDLE_MS = 30_000;
const BATCH = 256 << 10;
const HIGH_WATER = 8 << 20;

const idle: Array<{ worker: Worker; timer: NodeJS.Timeout }> = [];

function acquire(): Worker {
  const kept = idle.pop();
  if (kept) { clearTimeout(kept.timer); kept.worker.ref(); return kept.worker; }
  const worker = new Worker(WORKER_URL);
  worker.on('error', () => undefined); // an idle worker's failure is only a worker less; jobs listen for their own
  return worker;
}

function release(worker: Worker): void {
  if (idle.length >= MAX_IDLE) { void worker.terminate(); return; }
  worker.unref();
  const entry = { worker, timer: setTimeout(() => { idle.splice(idle.indexOf(entry), 1); void worker.terminate(); }, IDLE_MS) };
  entry.timer.unref();
  idle.push(entry);
}

type Done = Extract<ToMain, { type: 'done' }>;

/**
 * One job's end on `worker`: its `done` or `error` message, or the worker's own error or exit. The first
 * settles the job, once: success gives the worker back to the pool, failure terminates it (it may be
 * mid-write) before `failed` runs. `detach` lets the caller drop its own listeners at that moment.
 */
function watchJob(worker: Worker, on: { done: (m: Done) => void; failed: (err: unknown) => void; ack?: (bytes: number) => void; detach?: (failed: boolean) => void }): { fail: (err: unknown) => void; settled: () => boolean } {
  let settled = false;
  const detach = (failed: boolean) => {
    worker.off('message', onMessage); worker.off('error', onWorkerError); worker.off('exit', onExit);
    on.detach?.(failed);
  };
  const fail = (err: unknown) => {
    if (settled) return;
    settled = true;
    detach(true);
    void worker.terminate().then(() => on.failed(err), () => on.failed(err));
  };
  const onMessage = (m: ToMain) => {
    if (m.type === 'ack') on.ack?.(m.bytes);
    else if (m.type === 'error') fail(new BerthError(m.kind, m.message));
    else if (!settled) {
      settled = true;
      detach(false);
      release(worker);
      on.done(m);
    }
  };
  const onWorkerError = (err: Error) => fail(new BerthError('internal', `layer unpack worker failed: ${err.message}`, { cause: err }));
  const onExit = (code: number) => fail(new BerthError('internal', `layer unpack worker exited with code ${code}`));
  worker.on('message', onMessage);
  worker.on('error', onWorkerError);
  worker.on('exit', onExit);
  return { fail, settled: () => settled };
}

/**
 * Decompresses `input` (per `compression`) and applies the tar to `dest` in a worker thread. Resolves once
 * every byte was read and applied; rejects with invalidArgument for a bad layer (unsafe entry, corrupt
 * data), or with the input's own error. After a failure the worker is gone: nothing writes to `dest` later.
 */
export function unpackInWorker(input: Readable, dest: string, compression: Compression): Promise<UnpackResult> {
  const worker = acquire();
  const send = (m: ToWorker, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer);
  return new Promise<UnpackResult>((resolve, reject) => {
    let inFlight = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let paused = false; // our own flag: the input may be a streamx stream (tar-stream's pack) without isPaused()
    const job = watchJob(worker, {
      ack: (bytes) => {
        inFlight -= bytes;
        if (inFlight <= HIGH_WATER / 2 && paused && !job.settled()) { paused = false; input.resume(); }
      },
      done: (m) => resolve({ size: m.size, tarSize: m.tarSize, digest: m.digest }),
      failed: reject,
      detach: (failed) => {
        input.off('data', onData); input.off('end', onEnd); input.off('error', onInputError);
        if (failed) input.resume(); // drain, so the producer never waits on us
      },
    });
    const flush = () => {
      if (pendingBytes === 0) return;
      // A fresh copy of our own, so its memory can move to the worker without touching the source's.
      const data = new Uint8Array(pendingBytes);
      let off = 0;
      for (const c of pending) { data.set(c, off); off += c.length; }
      inFlight += pendingBytes;
      pending = [];
      pendingBytes = 0;
      send({ type: 'chunk', data }, [data.buffer]);
      if (inFlight > HIGH_WATER && !paused) { paused = true; input.pause(); }
    };
    const onData = (c: Buffer) => { pending.push(c); pendingBytes += c.length; if (pendingBytes >= BATCH) flush(); };
    const onEnd = () => { flush(); send({ type: 'end' }); };
    const onInputError = (err: Error) => job.fail(err);
    send({ type: 'job', dest, compression });
    input.on('error', onInputError);
    input.on('end', onEnd);
    input.on('data', onData);
  });
}

/** Unpacks `file` (compressed per `compression`) into `dest` while the caller appends to it and says how far. */
export function unpackGrowingFile(file: string, dest: string, compression: Compression): FileUnpack {
  const worker = acquire();
  let resolveResult: (r: FileUnpackResult) => void = () => undefined;
  let rejectResult: (err: unknown) => void = () => undefined;
  const result = new Promise<FileUnpackResult>((resolve, reject) => { resolveResult = resolve; rejectResult = reject; });
  const job = watchJob(worker, {
    done: (m) => resolveResult({ size: m.size, tarSize: m.tarSize, digest: m.digest, blobDigest: m.blobDigest ?? '' }),
    failed: (err) => rejectResult(err),
  });
  worker.postMessage({ type: 'job', dest, compression, file } satisfies ToWorker);
  return {
    grow: (size) => { if (!job.settled()) worker.postMessage({ type: 'grow', size } satisfies ToWorker); },
    end: () => { if (!job.settled()) worker.postMessage({ type: 'end' } satisfies ToWorker); },
    fail: job.fail,
    result,
  };
}
