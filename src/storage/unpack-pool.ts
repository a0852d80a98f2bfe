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
    let settled = false;
    let paused = false; // our own flag: the input may be a streamx stream (tar-stream's pack) without isPaused()
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
    const detach = () => {
      input.off('data', onData); input.off('end', onEnd); input.off('error', onInputError);
      worker.off('message', onMessage); worker.off('error', onWorkerError); worker.off('exit', onExit);
    };
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      detach();
      input.resume(); // drain, so the producer never waits on us
      void worker.terminate().then(() => reject(err), () => reject(err));
    };
    const onData = (c: Buffer) => { pending.push(c); pendingBytes += c.length; if (pendingBytes >= BATCH) flush(); };
    const onEnd = () => { flush(); send({ type: 'end' }); };
    const onInputError = (err: Error) => fail(err);
    const onMessage = (m: ToMain) => {
      if (m.type === 'ack') {
        inFlight -= m.bytes;
        if (inFlight <= HIGH_WATER / 2 && paused && !settled) { paused = false; input.resume(); }
      } else if (m.type === 'done') {
        if (settled) return;
        settled = true;
        detach();
        release(worker);
        resolve({ size: m.size, tarSize: m.tarSize, digest: m.digest });
      } else {
        fail(new BerthError(m.kind, m.message));
      }
    };
    const onWorkerError = (err: Error) => fail(new BerthError('internal', `layer unpack worker failed: ${err.message}`, { cause: err }));
    const onExit = (code: number) => fail(new BerthError('internal', `layer unpack worker exited with code ${code}`));
    worker.on('message', onMessage);
    worker.on('error', onWorkerError);
    worker.on('exit', onExit);
    send({ type: 'job', dest, compression });
    input.on('error', onInputError);
    input.on('end', onEnd);
    input.on('data', onData);
  });
}

/** Unpacks `file` (compressed per `compression`) into `dest` while the caller appends to it and says how far. */
export function unpackGrowingFile(file: string, dest: string, compression: Compression): FileUnpack {
  const worker = acquire();
  let settled = false;
  let resolveResult: (r: FileUnpackResult) => void = () => undefined;
  let rejectResult: (err: unknown) => void = () => undefined;
  const result = new Promise<FileUnpackResult>((resolve, reject) => { resolveResult = resolve; rejectResult = reject; });
  const detach = () => { worker.off('message', onMessage); worker.off('error', onWorkerError); worker.off('exit', onExit); };
  const fail = (err: unknown) => {
    if (settled) return;
    settled = true;
    detach();
    void worker.terminate().then(() => rejectResult(err), () => rejectResult(err));
  };
  const onMessage = (m: ToMain) => {
    if (m.type === 'done') {
      if (settled) return;
      settled = true;
      detach();
      release(worker);
      resolveResult({ size: m.size, tarSize: m.tarSize, digest: m.digest, blobDigest: m.blobDigest ?? '' });
    } else if (m.type === 'error') {
      fail(new BerthError(m.kind, m.message));
    }
  };
  const onWorkerError = (err: Error) => fail(new BerthError('internal', `layer unpack worker failed: ${err.message}`, { cause: err }));
  const onExit = (code: number) => fail(new BerthError('internal', `layer unpack worker exited with code ${code}`));
  worker.on('message', onMessage);
  worker.on('error', onWorkerError);
  worker.on('exit', onExit);
  worker.postMessage({ type: 'job', dest, compression, file } satisfies ToWorker);
  return {
    grow: (size) => { if (!settled) worker.postMessage({ type: 'grow', size } satisfies ToWorker); },
    end: () => { if (!settled) worker.postMessage({ type: 'end' } satisfies ToWorker); },
    fail,
    result,
  };
}
