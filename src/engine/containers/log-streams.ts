// `logs` and `attach` output: the container's k8s-file log decoded into the client's bytes, history
// first (tail/since/until), then — while the container runs — new output until it exits, after which the
// bytes conmon wrote last are flushed and the stream ends.
import { notImplemented } from '../../errors.js';
import { LogDecoder } from './log-decoder.js';
import { LogReader, tailOffset, type ByteSink } from './log-reader.js';
import { LogView } from '../logs/log-view.js';
import { policyOf, type LogConfig } from '../logs/log-config.js';
import type { ContainerService } from './container-service.js';
import type { ContainerRecord } from '../../model/container.js';

export interface LogOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  /** Number of last lines; undefined (or negative) for all. */
  tail?: number;
  sinceNano?: bigint;
  untilNano?: bigint;
  timestamps: boolean;
}

export interface AttachOptions { stream: boolean; logs: boolean; stdout: boolean; stderr: boolean }

/** Resolves when the container exits or is removed; subscribe before reading so no exit is missed. */
function exitOf(svc: ContainerService, id: string): { exited: Promise<void>; cancel(): void } {
  let done: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => { done = resolve; });
  const onExit = () => { cancel(); done(); };
  const cancel = () => { svc.lifecycle.off(`exit:${id}`, onExit); svc.lifecycle.off(`remove:${id}`, onExit); };
  svc.lifecycle.once(`exit:${id}`, onExit);
  svc.lifecycle.once(`remove:${id}`, onExit);
  return { exited, cancel };
}

/** Refuses `logs` for a driver that keeps nothing to read (`none`), before any response is started. */
export function checkLogsReadable(rec: ContainerRecord): void {
  if (!policyOf(rec.HostConfig.LogConfig as LogConfig | undefined).readable) throw notImplemented('configured logging driver does not support reading');
}

/** `docker logs`: history from the tail's offset, then new rows while following a running container. */
export async function streamLogs(svc: ContainerService, rec: ContainerRecord, opts: LogOptions, sink: ByteSink): Promise<void> {
  checkLogsReadable(rec);
  const policy = policyOf(rec.HostConfig.LogConfig as LogConfig | undefined);
  const exit = exitOf(svc, rec.Id);
  const path = svc.paths.log(rec.Id);
  const fh = await LogView.open(path, policy.maxFile);
  try {
    const size = await fh.size();
    const tail = opts.tail === undefined || opts.tail < 0 ? undefined : opts.tail;
    const offset = tail === undefined ? 0 : await tailOffset(fh, size, tail);
    const decoder = new LogDecoder({ ...opts, tty: !!rec.Config.Tty });
    const reader = new LogReader(fh, offset, decoder, sink);
    const live = opts.follow && svc.isRunning(rec)
      && (opts.untilNano === undefined || opts.untilNano > BigInt(Date.now()) * 1_000_000n);
    if (live) await reader.follow(path, exit.exited);
    else await reader.readToEnd();
  } finally {
    exit.cancel();
    await fh.close().catch(() => undefined);
  }
}

/**
 * `attach`: optionally the history, then (stream) everything the container writes until it exits.
 * Attaching to a created container waits for it to start and exit (`docker run` attaches first).
 */
export async function streamAttach(svc: ContainerService, rec: ContainerRecord, opts: AttachOptions, sink: ByteSink): Promise<void> {
  // A stopped container is live too: `start -a` attaches before it starts the container again, and
  // wants the output of that next run (Docker keeps attach streams across restarts).
  const live = opts.stream && rec.State.Status !== 'dead' && rec.State.Status !== 'removing';
  if (!live && !opts.logs) return;
  const path = svc.paths.log(rec.Id);
  const exit = exitOf(svc, rec.Id);
  const fh = await LogView.open(path, policyOf(rec.HostConfig.LogConfig as LogConfig | undefined).maxFile);
  const offset = opts.logs ? 0 : await fh.size();
  try {
    const decoder = new LogDecoder({ stdout: opts.stdout, stderr: opts.stderr, tty: !!rec.Config.Tty, timestamps: false });
    const reader = new LogReader(fh, offset, decoder, sink);
    if (live) await reader.follow(path, exit.exited);
    else await reader.readToEnd();
  } finally {
    exit.cancel();
    await fh.close().catch(() => undefined);
  }
}
