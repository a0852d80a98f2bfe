// Messages between the daemon's thread and the context indexer worker.
import type { ContextIndex } from './context-index.js';

export type ToIndexer =
  | { t: 'start'; id: number; wanted: string[] }
  | { t: 'data'; id: number; chunk: Uint8Array }
  | { t: 'end'; id: number }
  | { t: 'abort'; id: number };

export type FromIndexer =
  | { t: 'ack'; id: number; bytes: number }
  | { t: 'done'; id: number; result: ContextIndex }
  | { t: 'error'; id: number; message: string; invalid: boolean };
