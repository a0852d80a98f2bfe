// Output streams of a container for `logs` and `attach`: read the k8s-file log, optionally keep
// following it, and end after the container's last output once it exits.
import { stat } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { openStdinForwarder, type StdinForwarder } from '../../runtime/stdin-forwarder.js';
import { LogFollower, type LogEntry } from './log-file.js';
import type { ContainerService } from './container-service.js';
import type { ContainerRecord } from './types.js';

export interface LogOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  /** Number of last lines; undefined for all. */
  tail?: number;
  sinceNano?: bigint;
  untilNano?: bigint;
}

export interface EntrySink {
  write(e: LogEntry): void;
  /** Called when the client went away: the stream stops. */
  onClose(cb: () => void): void;
}

/** `docker logs`: history (tail/since/until), then new rows while following a running container. */
export async function streamLogs(svc: ContainerService, rec: ContainerRecord, opts: LogOptions, sink: EntrySink): Promise<void> {
  const wanted = (e: LogEntry) => (e.stream === 'stdout' ? opts.stdout : opts.stderr)
    && (opts.sinceNano === undefined || e.timeNano >= opts.sinceNano)
    && (opts.untilNano === undefined || e.timeNano <= opts.untilNano);
  let history: LogEntry[] | undefined = [];
  const follower = new LogFollower(svc.paths.log(rec.Id), (e) => {
    if (!wanted(e)) return;
    if (history) history.push(e); else sink.write(e);
  });
  await follower.start(0);
  const initial = history;
  history = undefined;
  const shown = opts.tail === undefined || opts.tail < 0 ? initial : opts.tail === 0 ? [] : initial.slice(-opts.tail);
  for (const e of shown) sink.write(e);
  const live = opts.follow && svc.isRunning(rec) && (opts.untilNano === undefined || opts.untilNano > BigInt(Date.now()) * 1_000_000n);
  if (!live) { follower.stop(); return; }
  await new Promise<void>((resolve) => {
    let finished = false;
    const end = () => { if (finished) return; finished = true; svc.lifecycle.off(`exit:${rec.Id}`, onExit); svc.lifecycle.off(`remove:${rec.Id}`, onExit); resolve(); };
    const onExit = () => { void follower.finish().then(end, end); };
    svc.lifecycle.once(`exit:${rec.Id}`, onExit);
    svc.lifecycle.once(`remove:${rec.Id}`, onExit);
    sink.onClose(() => { follower.stop(); end(); });
  });
}

export interface AttachOptions { stream: boolean; logs: boolean; stdout: boolean; stderr: boolean }

/**
 * `attach`: optionally the history, then (stream) everything the container writes until it exits.
 * Attaching to a created container waits for it to start and exit (`docker run` attaches first).
 */
export async function streamAttach(svc: ContainerService, rec: ContainerRecord, opts: AttachOptions, sink: EntrySink): Promise<void> {
  const wanted = (e: LogEntry) => (e.stream === 'stdout' ? opts.stdout : opts.stderr);
  const live = opts.stream && (rec.State.Status === 'created' || svc.isRunning(rec));
  let offset = 0;
  if (!opts.logs) offset = await stat(svc.paths.log(rec.Id)).then((s) => s.size, () => 0);
  if (!live && !opts.logs) return;
  // Subscribe before reading so an exit during start-up is not missed.
  let exitedEarly = false;
  const markExit = () => { exitedEarly = true; };
  svc.lifecycle.once(`exit:${rec.Id}`, markExit);
  svc.lifecycle.once(`remove:${rec.Id}`, markExit);
  const follower = new LogFollower(svc.paths.log(rec.Id), (e) => { if (wanted(e)) sink.write(e); });
  await follower.start(offset);
  svc.lifecycle.off(`exit:${rec.Id}`, markExit);
  svc.lifecycle.off(`remove:${rec.Id}`, markExit);
  if (!live || exitedEarly) { await follower.finish(); return; }
  await new Promise<void>((resolve) => {
    let finished = false;
    const end = () => { if (finished) return; finished = true; svc.lifecycle.off(`exit:${rec.Id}`, onExit); svc.lifecycle.off(`remove:${rec.Id}`, onExit); resolve(); };
    const onExit = () => { void follower.finish().then(end, end); };
    svc.lifecycle.once(`exit:${rec.Id}`, onExit);
    svc.lifecycle.once(`remove:${rec.Id}`, onExit);
    sink.onClose(() => { follower.stop(); end(); });
  });
}

/**
 * `attach` with stdin: what the client sends is buffered until the container runs, then fed to its
 * stdin through conmon. Ends with the client's input, the container's exit, or `stop()`.
 */
export function attachStdin(svc: ContainerService, rec: ContainerRecord, source: Readable): () => void {
  const pending = new PassThrough();
  source.on('data', (c: Buffer) => pending.write(c));
  source.on('end', () => pending.end());
  let forwarder: StdinForwarder | undefined;
  let stopped = false;
  const connect = () => {
    if (stopped) return;
    try { forwarder = openStdinForwarder(svc.paths.bundle(rec.Id)); } catch { stop(); return; }
    pending.pipe(forwarder.input);
  };
  const stop = () => {
    stopped = true;
    svc.lifecycle.off(`start:${rec.Id}`, connect);
    svc.lifecycle.off(`exit:${rec.Id}`, stop);
    forwarder?.close();
  };
  svc.lifecycle.once(`exit:${rec.Id}`, stop);
  if (svc.isRunning(rec)) connect(); else svc.lifecycle.once(`start:${rec.Id}`, connect);
  return stop;
}
