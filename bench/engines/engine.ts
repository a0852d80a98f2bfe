// The contract every engine under test fulfils. Both are driven by the same docker CLI binary and the
// same raw API requests; only the socket differs.
//
// Lifecycle: start() brings the daemon up on roots of its own (never the host's default socket or
// /var/lib), or records why it could not (`failure`); workloads then use docker()/api(); stop() removes
// every container, stops the daemon and its helpers, unmounts and deletes the roots. stop() is safe to
// call twice and after a failed start.
import type { CmdOptions, CmdResult } from '../lib/proc.js';
import type { ApiResult } from '../lib/api.js';
import type { MemorySample } from '../lib/memory.js';

export type EngineName = 'docker' | 'berth';

export interface BenchEngine {
  readonly name: EngineName;
  /** unix:///.../x.sock */
  readonly host: string;
  readonly socket: string;
  /** Directory holding this engine's socket and roots; unique to this run. */
  readonly base: string;
  /** Why the engine is unusable, when it is; every workload then reports "skipped: <failure>". */
  failure?: string;
  /** Image reference of the shared busybox image in this engine. */
  image: string;
  /** Server version string, for the report. */
  version: string;
  start(): Promise<void>;
  /** The real docker CLI against this engine. */
  docker(args: string[], opts?: CmdOptions): Promise<CmdResult>;
  api(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<ApiResult>;
  /** Engine processes (daemon and helpers, not containers) and their memory now. */
  memory(): MemorySample;
  /** Force-removes every container (bounded); returns how many were removed. */
  removeAllContainers(): Promise<number>;
  stop(): Promise<void>;
}
