// Moving bytes between a hijacked attach connection and our own stdio: raw copy for TTY containers,
// multiplexed frames split to stdout/stderr otherwise; stdin forwarded until EOF, then half-closed.
import { createRequire } from 'node:module';
import type { Readable, Writable } from 'node:stream';
import { FrameDecoder } from '../../model/stream-frame.js';
import type { HijackedStream } from '../../client/transport.js';
import type { CliContext } from '../command.js';
import { DetachKeyMatcher } from '../../util/detach-keys.js';

/** Copies container output until the daemon closes the stream. */
export function pumpOutput(stream: Readable, tty: boolean, stdout: Writable, stderr: Writable): Promise<void> {
  return new Promise((resolve) => {
    const decoder = tty ? undefined : new FrameDecoder();
    stream.on('data', (chunk: Buffer) => {
      if (!decoder) { stdout.write(chunk); return; }
      for (const f of decoder.push(chunk)) (f.stream === 2 ? stderr : stdout).write(f.payload);
    });
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
    stream.resume();
  });
}

/**
 * Puts our terminal in raw mode (as docker does before attaching with -it), so keystrokes pass through
 * unprocessed and the container's own \r\n is not translated twice. Returns the restore function.
 */
export function enterRawMode(ctx: CliContext): () => void {
  const stdin = ctx.stdin;
  if (!stdin.isTTY || !stdin.setRawMode) return () => undefined;
  stdin.setRawMode(true);
  // libuv's raw mode keeps output post-processing (ONLCR); Go's MakeRaw, which docker uses, turns it off.
  const opost = stdin === process.stdin && ctx.stdout.isTTY;
  // Loaded only here: most runs have no terminal and should not pay for child_process.
  const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  if (opost) spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
  return () => {
    stdin.setRawMode?.(false);
    if (opost) spawnSync('stty', ['opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
  };
}

/**
 * Forwards our stdin into the container until EOF, then half-closes; returns a function that stops it.
 * With `detach`, the detach key sequence is swallowed and `detach.onDetach` called instead.
 */
export function forwardStdin(ctx: CliContext, conn: HijackedStream, detach?: { keys: Buffer; onDetach: () => void }): () => void {
  const stdin = ctx.stdin;
  const detector = detach ? new DetachKeyMatcher(detach.keys) : undefined;
  const onData = (c: Buffer) => {
    if (!detector) { conn.input.write(c); return; }
    const r = detector.push(c);
    if (r.forward.length) conn.input.write(r.forward);
    if (r.detach) detach!.onDetach();
  };
  const onEnd = () => conn.closeWrite();
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  stdin.resume();
  return () => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.pause();
  };
}

/** docker's exit status for a failed start: 127 not found, 126 not executable, else 125. */
export function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return 127;
  if (/permission denied/i.test(message)) return 126;
  return 125;
}

/**
 * Keeps the remote terminal the size of ours, as docker does: once now and on every SIGWINCH, for a tty
 * session on a terminal only. Returns the function that stops following.
 */
export function followTerminalSize(ctx: CliContext, tty: boolean, resize: (height: number, width: number) => Promise<unknown>): () => void {
  if (!tty || !ctx.stdout.isTTY) return () => undefined;
  const send = () => { if (ctx.stdout.columns) resize((ctx.stdout as { rows?: number }).rows ?? 24, ctx.stdout.columns).catch(() => undefined); };
  send();
  ctx.stdout.on('resize', send);
  return () => { ctx.stdout.off('resize', send); };
}

/** docker's --sig-proxy: SIGINT, SIGTERM and SIGHUP go to the container (never with a tty). Returns the undo. */
export function proxySignals(enabled: boolean, kill: (signal: NodeJS.Signals) => Promise<unknown>): () => void {
  if (!enabled) return () => undefined;
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]).map((s): [NodeJS.Signals, () => void] => [s, () => { kill(s).catch(() => undefined); }]);
  for (const [s, h] of handlers) process.on(s, h);
  return () => { for (const [s, h] of handlers) process.off(s, h); };
}
