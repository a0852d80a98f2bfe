// Moving bytes between a hijacked attach connection and our own stdio: raw copy for TTY containers,
// multiplexed frames split to stdout/stderr otherwise; stdin forwarded until EOF, then half-closed.
import type { Readable, Writable } from 'node:stream';
import { FrameDecoder } from '../../api/stream-frame.js';
import type { HijackedStream } from '../../client/transport.js';
import type { CliContext } from '../command.js';

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
  });
}

/**
 * Forwards our stdin into the container. Raw mode when both are terminals, so keystrokes go through
 * unprocessed; returns a function that restores the terminal.
 */
export function forwardStdin(ctx: CliContext, conn: HijackedStream, tty: boolean): () => void {
  const stdin = ctx.stdin;
  let raw = false;
  if (tty && stdin.isTTY && stdin.setRawMode) { stdin.setRawMode(true); raw = true; }
  const onData = (c: Buffer) => conn.input.write(c);
  const onEnd = () => conn.closeWrite();
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  stdin.resume();
  return () => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    if (raw && stdin.setRawMode) stdin.setRawMode(false);
    stdin.pause();
  };
}

/** docker's exit status for a failed start: 127 not found, 126 not executable, else 125. */
export function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return 127;
  if (/permission denied/i.test(message)) return 126;
  return 125;
}
