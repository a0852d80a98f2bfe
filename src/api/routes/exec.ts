// /containers/{id}/exec and /exec/* endpoints: create, start (hijacked: raw with a tty, multiplexed
// frames without), resize, inspect.
import type { Duplex, Readable } from 'node:stream';
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { boolQuery, hijack, intQuery, readJsonBody, sendJson, type RequestContext } from '../context.js';
import { frame } from '../../model/stream-frame.js';
import type { ExecCreateRequest } from '../../engine/exec/types.js';
import { execInspectView } from '../../engine/exec/types.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../../engine/exec/detach-keys.js';
import { DetachKeyMatcher } from '../../util/detach-keys.js';
import type { StartedExec } from '../../engine/exec/exec-service.js';
import { PassThrough } from 'node:stream';
import { acceptKey, encodeFrame, WsDecoder } from '../../engine/exec/websocket.js';
import { attachStdin } from '../../engine/containers/container-streams.js';
import { streamAttach } from '../../engine/containers/log-streams.js';
import { invalidArgument } from '../../errors.js';

interface ExecStartRequest { Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null }

/** Copies the client's stdin to the process; with a tty, the detach keys end the session instead. */
function pipeStdin(sock: Duplex, started: StartedExec, detachKeys: number[] | undefined, onDetach: () => void): void {
  const stdin = started.process.stdin;
  const filter = detachKeys ? new DetachKeyMatcher(detachKeys) : undefined;
  sock.on('data', (c: Buffer) => {
    if (!filter) { stdin.write(c); return; }
    const { forward, detach } = filter.push(c);
    if (forward.length) stdin.write(forward);
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
      if (sock.writable) sock.write(tty ? c : frame(stream, c));
    });
    source.on('end', resolve);
    source.on('close', resolve);
    source.on('error', () => resolve());
  });
}

async function startAttached(ctx: RequestContext, started: StartedExec): Promise<void> {
  const cfg = started.session.config;
  const tty = !!cfg.Tty;
  const sock = hijack(ctx, tty);
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
    const body = await readJsonBody<ExecCreateRequest>(ctx, {});
    sendJson(ctx, 201, execs.create(ctx.params.id, body));
  });

  router.post('/exec/{id}/start', async (ctx) => {
    const body = await readJsonBody<ExecStartRequest>(ctx, {});
    const session = execs.get(ctx.params.id);
    if (body.ConsoleSize && !session.config.ConsoleSize) session.config.ConsoleSize = body.ConsoleSize;
    const started = await execs.start(ctx.params.id);
    if (body.Detach) {
      started.process.stdin.end();
      started.process.stdout.resume();
      started.process.stderr?.resume();
      ctx.res.writeHead(200, { 'Content-Length': 0 });
      ctx.res.end();
      return;
    }
    await startAttached(ctx, started);
  });

  router.post('/exec/{id}/resize', async (ctx) => {
    execs.resize(ctx.params.id, intQuery(ctx.query, 'h') ?? 0, intQuery(ctx.query, 'w') ?? 0);
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
    sock.on('data', (c: Buffer) => {
      for (const m of decoder.push(c)) {
        if (m.opcode === 1 || m.opcode === 2 || m.opcode === 0) stdin.write(m.payload);
        else if (m.opcode === 9) sock.write(encodeFrame(m.payload, 10));
        else if (m.opcode === 8) { stdin.end(); if (sock.writable) sock.end(encodeFrame(Buffer.alloc(0), 8)); }
      }
    });
    sock.on('end', () => stdin.end());
    sock.resume();
    const stopStdin = boolQuery(q, 'stdin') && rec.Config.OpenStdin ? attachStdin(svc, rec, stdin) : () => undefined;
    sock.on('close', stopStdin);
    const sink = {
      get closed() { return sock.destroyed || sock.writableEnded; },
      onClose(cb: () => void) { sock.once('close', cb); },
      write(b: Buffer) { if (!sock.destroyed && !sock.writableEnded) sock.write(encodeFrame(b)); },
    };
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
