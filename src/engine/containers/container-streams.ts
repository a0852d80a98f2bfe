// Input streams of a container for `attach` (the output side is log-streams.ts).
import { PassThrough, type Readable } from 'node:stream';
import { openStdinForwarder, type StdinForwarder } from '../../runtime/stdin-forwarder.js';
import type { ContainerService } from './container-service.js';
import type { ContainerRecord } from '../../model/container.js';

/**
 * `attach` with stdin: what the client sends is buffered until the container runs, then fed to its
 * stdin through conmon. Ends with the client's input, the container's exit, or `stop()`.
 */
export function attachStdin(svc: ContainerService, rec: ContainerRecord, source: Readable): () => void {
  const pending = new PassThrough();
  // pipe, not 'data' + write: a container that does not read its stdin pauses the client's socket.
  source.pipe(pending);
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
