// Child processes for the benchmark: every run is timed, bounded by a timeout (the child is killed when it
// expires), and can count its stdout instead of buffering it (a 100 MB `docker logs` stays out of memory).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in milliseconds. */
  ms: number;
  /** Bytes the child wrote to stdout (counted even when not kept). */
  stdoutBytes: number;
  timedOut: boolean;
}

export interface CmdOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string | Buffer;
  /** Count stdout bytes but keep none of them. */
  discardStdout?: boolean;
  cwd?: string;
}

const KEEP_LIMIT = 16 * 1024 * 1024;

export function runCmd(cmd: string, args: string[], opts: CmdOptions = {}): Promise<CmdResult> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let stdoutBytes = 0;
    let kept = 0;
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => {
      stdoutBytes += c.length;
      if (!opts.discardStdout && kept < KEEP_LIMIT) { out.push(c); kept += c.length; }
    });
    child.stderr.on('data', (c: Buffer) => { if (err.length < 1000) err.push(c); });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs ?? 60_000);
    const finish = (code: number, extraErr = '') => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + extraErr + (timedOut ? `\n(timed out after ${opts.timeoutMs ?? 60_000} ms)` : ''),
        ms: performance.now() - start,
        stdoutBytes,
        timedOut,
      });
    };
    child.on('error', (e) => finish(-1, String(e)));
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : -1)));
    child.stdin.on('error', () => { /* child exited before reading its input */ });
    child.stdin.end(opts.input);
  });
}

/** The first meaningful line of a failed command's output, for a "skipped: reason" cell. */
export function failureReason(r: CmdResult): string {
  const text = (r.stderr || r.stdout).trim();
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  // The docker CLI prints progress ("Unable to find image ... locally") before the error that matters.
  const line = [...lines].reverse().find((l) => /Error|error:|^docker: /.test(l)) ?? lines[0] ?? `exit code ${r.code}`;
  return line.replace(/^(docker: )?Error response from daemon:\s*/, '').slice(0, 160);
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the items' order. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Seconds since `start` (a performance.now() value), for progress lines. */
export function since(start: number): string {
  return ((performance.now() - start) / 1000).toFixed(1) + 's';
}

/** Throws with the command's own error line unless it succeeded. */
export function check(r: CmdResult, what: string): CmdResult {
  if (r.code !== 0) throw new Error(`${what}: ${failureReason(r)}`);
  return r;
}
