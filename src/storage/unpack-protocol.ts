// Messages between berthd and an unpack worker (unpack-pool.ts ⇄ unpack-worker.ts). A job reads its
// compressed bytes either from chunks sent to it, or from a file that grows while a download appends to
// it (`grow` says how many bytes are there; the worker reads them itself and also hashes them).
import type { ErrorKind } from '../errors.js';
import type { Compression } from './layer-decompress.js';

export type ToWorker =
  | { type: 'job'; dest: string; compression: Compression; file?: string }
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'grow'; size: number }
  | { type: 'end' };

export type ToMain =
  | { type: 'ack'; bytes: number }
  | { type: 'done'; size: number; tarSize: number; digest: string; blobDigest?: string }
  | { type: 'error'; kind: ErrorKind; message: string };
