// Runs one exec process through the OCI runtime. Without a tty, `runc exec` stays in the foreground with
// our pipes as the process's stdio and exits with its code. With a tty, the python helper (tty-helper.ts)
// holds the terminal. Either way runc's own errors go to a JSON log file, so a command that cannot start
// is told apart from a command that failed, as Docker does (126/127 and "OCI runtime exec failed").
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { PYTHON, TTY_HELPER } from './tty-helper.js';

export interface ExecProcessOptions {
  runtimePath: string;
  /** Global runtime flags, e.g. ['--root', DIR]. */
  runtimeArgs: string[];
  containerId: string;
  /** A private directory for the process file, pid file, runc log and console socket. */
  dir: string;
  processFile: string;
  tty: boolean;
}

export interface ExecExit { exitCode: number; /** Set when the process never started. */ startError?: string }

export interface RunningExec {
  stdout: Readable;
  /** Null with a tty: everything arrives on stdout. */
  stderr: Readable | null;
  stdin: Writable;
  /** The host pid, once known (0 if the process never started). */
  pid: Promise<number>;
  resize(height: number, width: number): void;
  exited: Promise<ExecExit>;
  kill(signal?: NodeJS.Signals): void;
}

/** runc's "exec failed" text from its JSON log, if the process never started. */
export async function startFailure(logFile: string): Promise<string | undefined> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  for (const line of text.split('\n').reverse()) {
    try {
      const e = JSON.parse(line) as { level?: string; msg?: string };
      if (e.level === 'error' && e.msg) return e.msg;
    } catch { /* not a JSON line */ }
  }
  return undefined;
}

/** Docker's exit codes for an exec that could not start: 127 not found, 126 otherwise. */
export function startFailureExitCode(message: string): number {
  return /not found|no such file/i.test(message) ? 127 : 126;
}

function exitCodeOf(child: ChildProcess): number {
  if (child.exitCode !== null) return child.exitCode;
  const sig = child.signalCode;
  return sig ? 128 + (({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 } as Record<string, number>)[sig] ?? 0) : 255;
}

export function startExecProcess(o: ExecProcessOptions): RunningExec {
  const logFile = join(o.dir, 'runtime.log');
  const pidFile = join(o.dir, 'pid');
  const global = [...o.runtimeArgs, '--log', logFile, '--log-format', 'json'];
  let child: ChildProcess;
  let pid: Promise<number>;
  let resize: (h: number, w: number) => void = () => undefined;
  if (o.tty) {
    const sock = join(o.dir, 'console.sock');
    child = spawn(PYTHON, ['-c', TTY_HELPER, sock, pidFile, o.runtimePath, ...global, 'exec', '-d', '-t', '--console-socket', sock,
      '--pid-file', pidFile, '--process', o.processFile, o.containerId], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const ctl = child.stdio[3] as unknown as Readable & Writable;
    ctl.on('error', () => undefined);
    pid = new Promise((resolve) => {
      let buf = '';
      ctl.on('data', (c: Buffer) => {
        buf = (buf + c.toString()).slice(-256); // only the "pid N" line matters: bounded
        const m = /pid (\d+)\n/.exec(buf);
        if (m) resolve(Number(m[1]));
      });
      child.on('close', () => resolve(0));
    });
    resize = (h, w) => { if (ctl.writable && h > 0 && w > 0) ctl.write(`size ${Math.floor(h)} ${Math.floor(w)}\n`); };
    child.stderr!.resume();
  } else {
    child = spawn(o.runtimePath, [...global, 'exec', '--pid-file', pidFile, '--process', o.processFile, o.containerId], { stdio: ['pipe', 'pipe', 'pipe'] });
    pid = pidFromFile(pidFile, child);
  }
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<ExecExit>((resolve) => {
    child.on('error', (err) => resolve({ exitCode: 126, startError: err.message }));
    child.on('close', () => {
      const code = exitCodeOf(child);
      if (code !== 255) { resolve({ exitCode: code }); return; }
      void startFailure(logFile).then((msg) => resolve(msg && /exec failed/.test(msg) ? { exitCode: startFailureExitCode(msg), startError: msg } : { exitCode: code }));
    });
  });
  return {
    stdout: buffered(child.stdout!),
    stderr: o.tty ? null : buffered(child.stderr!),
    stdin: child.stdin!,
    pid,
    resize,
    exited,
    kill: (signal = 'SIGKILL') => { if (child.exitCode === null && child.signalCode === null) child.kill(signal); },
  };
}

/** Bytes of a stream's output berthd holds for a reader that is not reading; beyond that the process waits. */
export const EXEC_OUTPUT_BUFFER = 64 * 1024;

/**
 * Output taken at once into a buffer of our own: node discards (resumes) a child's unread stdio when it
 * exits, so a quick command's output and end would be gone before the caller attached to it. The buffer
 * is bounded: once it holds EXEC_OUTPUT_BUFFER bytes, pipe() pauses the source and the process blocks on
 * its full pipe until the client reads.
 */
export function buffered(source: Readable): Readable {
  const out = new PassThrough({ highWaterMark: EXEC_OUTPUT_BUFFER });
  source.pipe(out);
  source.on('error', () => out.end());
  return out;
}

/** runc writes the pid file once the process runs; poll for it (bounded) until then or until runc ends. */
async function pidFromFile(pidFile: string, child: ChildProcess): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    if (text.trim()) return Number(text.trim());
    if (child.exitCode !== null || child.signalCode !== null) return 0;
    await new Promise((r) => setTimeout(r, 10));
  }
  return 0;
}

/** An exec that failed before a process existed (e.g. an unknown user): reported like runc's failures. */
export function failedExec(message: string): RunningExec {
  const empty = () => { const s = new PassThrough(); s.end(); return s; };
  const stdin = new PassThrough();
  stdin.resume();
  return {
    stdout: empty(), stderr: empty(), stdin, pid: Promise.resolve(0), resize: () => undefined,
    exited: Promise.resolve({ exitCode: 126, startError: message }), kill: () => undefined,
  };
}
