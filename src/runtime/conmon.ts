// Runs a container under conmon, fully detached from berthd (own session, no stdio tied to us), so the
// container and its monitor outlive berthd. conmon runs `<runtime> create`, writes the container's
// stdout/stderr to a k8s-file log and, when the container exits, its exit code to <exit-dir>/<id>.
// conmon reports the container's pid (or an error) on the sync pipe (fd 3, _OCI_SYNCPIPE).
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { internal, BerthError } from '../errors.js';

export const CONMON_PATH = '/usr/bin/conmon';

export interface ConmonOptions {
  id: string;
  name: string;
  runtimePath: string;
  /** Global runtime flags (e.g. --root DIR), passed through as --runtime-arg. */
  runtimeArgs: string[];
  bundle: string;
  pidFile: string;
  conmonPidFile: string;
  logPath: string;
  exitDir: string;
  persistDir: string;
  socketDir: string;
  tty: boolean;
  /** Give the container a stdin pipe fed through the attach socket; keep it open across detaches. */
  stdin?: boolean;
  leaveStdinOpen?: boolean;
  logLevel?: string;
  /** conmon truncates the log file when it would grow past this (bytes). */
  logSizeMax?: number;
}

export function conmonArgs(o: ConmonOptions): string[] {
  const args = [
    '--api-version', '1', '-c', o.id, '-u', o.id, '-n', o.name, '-r', o.runtimePath, '-b', o.bundle,
    '-p', o.pidFile, '-l', `k8s-file:${o.logPath}`, '--exit-dir', o.exitDir, '--persist-dir', o.persistDir,
    '--socket-dir-path', o.socketDir, '--conmon-pidfile', o.conmonPidFile,
    // Docker does not fsync container logs either; syncing costs the hot path milliseconds.
    '--no-sync-log', '--log-level', o.logLevel ?? 'error',
  ];
  if (o.logSizeMax) args.push('--log-size-max', String(o.logSizeMax));
  for (const a of o.runtimeArgs) args.push('--runtime-arg', a);
  if (o.tty) args.push('-t');
  if (o.stdin) args.push('-i');
  if (o.stdin && o.leaveStdinOpen) args.push('--leave-stdin-open');
  return args;
}

/** Errors from the runtime that mean "the command could not be run": Docker answers 400 and exit 127/126. */
export function isCommandError(message: string): boolean {
  return /executable file not found|no such file or directory|permission denied|not a directory/i.test(message);
}

/** Starts conmon (which runs `runtime create`) and resolves with the container's host pid. */
export function startConmon(o: ConmonOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(CONMON_PATH, conmonArgs(o), {
      detached: true,
      // conmon also drops an `oom` file in its working directory: keep that in the container's own dir.
      cwd: o.persistDir,
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
      env: { _OCI_SYNCPIPE: '3', PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    child.unref();
    const sync = child.stdio[3] as Readable;
    let buf = '';
    let done = false;
    const finish = (err: Error | null, pid?: number) => {
      if (done) return;
      done = true;
      // Keep reading until conmon closes its end: a closed reader would SIGPIPE conmon later.
      sync.resume();
      if (err) reject(err); else resolve(pid!);
    };
    sync.on('data', (chunk: Buffer) => {
      if (done) return;
      buf += chunk.toString('utf8');
      let msg: { data?: number; message?: string } | undefined;
      try { msg = JSON.parse(buf.trim()) as typeof msg; } catch { return; /* wait for the rest */ }
      if (msg && typeof msg.data === 'number' && msg.data > 0) finish(null, msg.data);
      else finish(runtimeError(msg?.message ?? `conmon failed (${buf.trim()})`));
    });
    sync.on('error', () => undefined);
    sync.on('close', () => finish(internal(`conmon exited before reporting the container pid${buf ? ': ' + buf.trim() : ''}`)));
    child.on('error', (err) => finish(internal(`cannot run conmon: ${err.message}`)));
  });
}

/**
 * The runtime could not run the container's command (Docker's 400): exit code 127 when it was not
 * found, 126 when it could not be executed. Decoded once from the runtime's words, in runtimeError.
 */
export class CommandNotRunnable extends BerthError {
  constructor(message: string, readonly exitCode: 126 | 127) {
    super('invalid-argument', message);
  }
}

function runtimeError(message: string): BerthError {
  // runc's messages come wrapped in its log format; keep the readable part.
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(message);
  const text = m ? m[1].replace(/\\"/g, '"') : message.trim();
  const full = `failed to create task for container: ${text}: unknown`;
  if (!isCommandError(text)) return new BerthError('internal', full);
  return new CommandNotRunnable(full, /permission denied/i.test(full) && !/not found|no such file/i.test(full) ? 126 : 127);
}
