// /containers/{id}/exec and /exec/* endpoints: create, start (hijacked: raw with a tty, multiplexed
// frames without), resize, inspect.
import type { Duplex, Readable } from 'node:stream';
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { boolQuery, hijack, intQuery, sendJson } from '../context.js';
import { readDecodedBody } from '../decode/body.js';
import { frame } from '../../model/stream-frame.js';
import type { ExecCreateRequest } from '../../engine/exec/types.js';
import { execInspectView } from '../../engine/exec/types.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../../engine/exec/detach-keys.js';
import { DetachKeyMatcher } from '../../util/detach-keys.js';
import type { StartedExec } from '../../engine/exec/exec-service.js';
import { PassThrough } from 'node:stream';
import { acceptKey, encodeFrame, WsDecoder } from '../websocket.js';
import { attachStdin } from '../../engine/containers/container-streams.js';
import { streamAttach } from '../../engine/containers/log-streams.js';
import { writableSink } from '../../engine/containers/log-reader.js';
import { invalidArgument } from '../../errors.js';

interface ExecStartRequest { Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null }

/** Copies the client's stdin to the process; with a tty, the detach keys end the session instead. */
function pipeStdin(sock: Duplex, started: StartedExec, detachKeys: number[] | undefined, onDetach: () => void): void {
  const stdin = started.process.stdin;
  const filter = detachKeys ? new DetachKeyMatcher(detachKeys) : undefined;
  // A process that does not read its stdin must not make berthd buffer what the client keeps sending.
  const forward = (b: Buffer) => { if (!stdin.write(b)) { sock.pause(); stdin.once('drain', () => sock.resume()); } };
  stdin.on('error', () => undefined);
  sock.on('data', (c: Buffer) => {
    if (!filter) { forward(c); return; }
    const { forward: bytes, detach } = filter.push(c);
    if (bytes.length) forward(bytes);
    if (detach) onDetach();
  });
  sock.on('end', () => stdin.end());
  // Reading the request body may have paused the socket; a 'data' listener alone does not resume it.
  sock.resume();
}

/** Output of the process onto the hijacked socket; runc's own "exec failed" line never reaches it. */
function pipeOutput(sock: Duplex, source: Readable, stream: 1 | 2, tty: boolean): Promise<void> {
  return new Promise((resolve) => {
    source.on('data', (c: Buffer) => {
      if (stream === 2 && c.subarray(0, 12).toString() === 'exec failed:') return;
      if (!sock.writable) return;
      // A slow client holds the process's output in its pipe, not in berthd's memory.
      if (!sock.write(tty ? c : frame(stream, c))) { source.pause(); sock.once('drain', () => source.resume()); }
    });
    sock.once('close', () => source.resume());
    source.on('end', resolve);
    source.on('close', resolve);
    source.on('error', () => resolve());
  });
}

async function startAttached(sock: Duplex, started: StartedExec): Promise<void> {
  const cfg = started.session.config;
  const tty = !!cfg.Tty;
  sock.on('error', () => undefined);
  let detached = false;
  const detach = () => { detached = true; sock.end(); };
  if (cfg.AttachStdin) pipeStdin(sock, started, tty ? parseDetachKeys(cfg.DetachKeys || DEFAULT_DETACH_KEYS) : undefined, detach);
  else { started.process.stdin.end(); sock.resume(); }
  const outputs = [pipeOutput(sock, started.process.stdout, 1, tty)];
  if (started.process.stderr) outputs.push(pipeOutput(sock, started.process.stderr, 2, tty));
  const exit = await started.done;
  await Promise.all(outputs);
  if (detached) return;
  if (exit.startError && sock.writable) {
    const msg = Buffer.from(`OCI runtime exec failed: ${exit.startError}: unknown\r\n`);
    sock.write(tty ? msg : frame(1, msg));
  }
  sock.end();
}

export function registerExecRoutes(router: Router, engine: Engine): void {
  const execs = engine.exec;

  router.post('/containers/{id}/exec', async (ctx) => {
    const { value: body } = await readDecodedBody<ExecCreateRequest>(ctx, 'ExecConfig');
    sendJson(ctx, 201, execs.create(ctx.params.id, body));
  });

  router.post('/exec/{id}/start', async (ctx) => {
    const { value: body } = await readDecodedBody<ExecStartRequest>(ctx, 'ExecStartConfig');
    const session = execs.get(ctx.params.id);
    if (body.ConsoleSize && !session.config.ConsoleSize) session.config.ConsoleSize = body.ConsoleSize;
    // Attached: the 101 goes out (and is flushed) before the process exists, so no output can precede it.
    let sock: Duplex | undefined;
    const tty = !!session.config.Tty;
    const started = await execs.start(ctx.params.id, body.Detach ? undefined : async () => { sock = await hijack(ctx, tty, { serverHeaders: true }); });
    if (body.Detach || !sock) {
      started.process.stdin.end();
      started.process.stdout.resume();
      started.process.stderr?.resume();
      ctx.res.writeHead(200, { 'Content-Length': 0 });
      ctx.res.end();
      return;
    }
    await startAttached(sock, started);
  });

  router.post('/exec/{id}/resize', async (ctx) => {
    execs.resize(ctx.params.id, intQuery(ctx.query, 'h', { min: 0, max: 65535 }) ?? 0, intQuery(ctx.query, 'w', { min: 0, max: 65535 }) ?? 0);
    ctx.res.writeHead(200, { 'Content-Length': 0 });
    ctx.res.end();
  });

  // Attaching over a websocket (attach/ws) lives here beside exec's other hijacked stream: raw output
  // bytes in binary frames (no multiplexing), the client's frames to the container's stdin.
  router.get('/containers/{id}/attach/ws', async (ctx) => {
    const svc = engine.containers;
    const rec = svc.resolve(ctx.params.id);
    const key = ctx.req.headers['sec-websocket-key'];
    if (!ctx.upgrade || typeof key !== 'string') throw invalidArgument('attach/ws needs a websocket upgrade request');
    const sock = ctx.upgrade.socket;
    sock.on('error', () => undefined);
    sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
    if (ctx.upgrade.head.length) sock.unshift(ctx.upgrade.head);
    const q = ctx.query;
    const stdin = new PassThrough();
    const decoder = new WsDecoder();
    let broken = false;
    sock.on('data', (c: Buffer) => {
      if (broken) return;
      let messages;
      // A frame over the limit closes the socket with 1009 (message too big), as RFC 6455 says.
      try { messages = decoder.push(c); } catch { broken = true; stdin.end(); sock.end(encodeFrame(Buffer.from([0x03, 0xf1]), 8)); return; }
      for (const m of messages) {
        if (m.opcode === 1 || m.opcode === 2 || m.opcode === 0) { if (!stdin.write(m.payload)) { sock.pause(); stdin.once('drain', () => sock.resume()); } }
        else if (m.opcode === 9) sock.write(encodeFrame(m.payload, 10));
        else if (m.opcode === 8) { stdin.end(); if (sock.writable) sock.end(encodeFrame(Buffer.alloc(0), 8)); }
      }
    });
    sock.on('end', () => stdin.end());
    sock.resume();
    const stopStdin = boolQuery(q, 'stdin') && rec.Config.OpenStdin ? attachStdin(svc, rec, stdin) : () => undefined;
    sock.on('close', stopStdin);
    // The same backpressure as writableSink, with each chunk in a binary frame.
    const frames = writableSink(sock);
    const sink = { get closed() { return frames.closed; }, onClose: frames.onClose, write: (b: Buffer) => frames.write(encodeFrame(b)) };
    // Raw bytes whatever the tty setting: the websocket frames the stream already.
    const raw = { ...rec, Config: { ...rec.Config, Tty: true } };
    try {
      await streamAttach(svc, raw, { stream: boolQuery(q, 'stream'), logs: boolQuery(q, 'logs'), stdout: boolQuery(q, 'stdout'), stderr: boolQuery(q, 'stderr') }, sink);
    } finally {
      if (sock.writable) sock.end(encodeFrame(Buffer.alloc(0), 8));
    }
  });

  router.get('/exec/{id}/json', async (ctx) => {
    sendJson(ctx, 200, execInspectView(execs.get(ctx.params.id)));
  });
}
