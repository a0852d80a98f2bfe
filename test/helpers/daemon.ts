// Starts a real berthd on a temporary socket, data root and exec root for integration tests, and
// cleans everything up afterwards (containers, mounts, directories), so reruns pass on the same host.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import assert from 'node:assert/strict';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DOCKER = '/usr/local/bin/docker';
export const BERTHD = join(repoRoot, 'dist/src/daemon/main.js');
export const BERTH = join(repoRoot, 'dist/src/cli/main.js');

export interface RunResult { code: number; stdout: string; stderr: string }

export interface TestDaemon {
  socket: string;
  host: string;
  dataRoot: string;
  execRoot: string;
  /** Runs the real docker CLI against this daemon. */
  docker(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): RunResult;
  /** Runs Berth's CLI against this daemon. */
  berth(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): RunResult;
  /** Raw API request; returns status and body text. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>;
  /** SIGKILL berthd (containers must survive). */
  kill9(): Promise<void>;
  /** Starts berthd again on the same roots. */
  restart(): Promise<void>;
  /** Removes all containers, stops berthd, unmounts and deletes the roots. */
  stop(): Promise<void>;
  log(): string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, opts?: { input?: string | Buffer; timeoutMs?: number }): RunResult {
  // SIGKILL on timeout: an attached docker CLI forwards SIGTERM to the container instead of exiting.
  const r = spawnSync(cmd, args, { env, input: opts?.input, encoding: 'utf8', timeout: opts?.timeoutMs ?? 60_000, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

async function waitForSocket(socket: string, child: ChildProcess, logFile: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`berthd exited with ${child.exitCode}:\n${logFile()}`);
    if (existsSync(socket)) {
      const ok = await new Promise<boolean>((res) => {
        const req = http.request({ socketPath: socket, path: '/_ping', method: 'GET' }, (r) => { r.resume(); res(r.statusCode === 200); });
        req.on('error', () => res(false));
        req.end();
      });
      if (ok) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`berthd did not come up:\n${logFile()}`);
}

export async function startDaemon(extraArgs: string[] = []): Promise<TestDaemon> {
  const base = mkdtempSync(join(tmpdir(), 'berth-test-'));
  const socket = join(base, 'berth.sock');
  const dataRoot = join(base, 'data');
  const execRoot = join(base, 'exec');
  const host = `unix://${socket}`;
  const logPath = join(base, 'berthd.log');
  let child: ChildProcess;
  const env = { ...process.env, DOCKER_HOST: host, BERTH_HOST: host, DOCKER_CONFIG: join(base, 'docker-config'), DOCKER_BUILDKIT: '0' };

  const launch = async () => {
    const { openSync } = await import('node:fs');
    const fd = openSync(logPath, 'a');
    child = spawn(process.execPath, [BERTHD, '-H', host, '--data-root', dataRoot, '--exec-root', execRoot, '--log-level', 'debug', ...extraArgs], {
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    await waitForSocket(socket, child, () => readLog());
  };
  const readLog = () => { try { return readFileSync(logPath, 'utf8'); } catch { return ''; } };
  await launch();

  const api: TestDaemon['api'] = (method, path, body) => new Promise((res, rej) => {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request({ socketPath: socket, path, method, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: r.headers }));
    });
    req.on('error', rej);
    req.end(data);
  });

  const killDaemon = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  };

  return {
    socket, host, dataRoot, execRoot,
    docker: (args, opts) => run(DOCKER, ['-H', host, ...args], env, opts),
    berth: (args, opts) => run(process.execPath, [BERTH, '-H', host, ...args], env, opts),
    api,
    kill9: () => killDaemon('SIGKILL'),
    restart: launch,
    log: readLog,
    async stop() {
      try {
        if (child.exitCode === null) {
          const list = await api('GET', '/containers/json?all=1');
          if (list.status === 200) {
            for (const c of JSON.parse(list.body) as Array<{ Id: string }>) await api('DELETE', `/containers/${c.Id}?force=1`);
          }
        }
      } catch { /* daemon already gone */ }
      await killDaemon('SIGTERM');
      // A berthd killed outright leaves its pool of ready network namespaces (each holds a veth on the bridge).
      const poolDir = join(execRoot, 'network', 'pool');
      for (const f of existsSync(poolDir) ? readdirSync(poolDir) : []) {
        try {
          const nsPath = (JSON.parse(readFileSync(join(poolDir, f), 'utf8')) as { nsPath?: string }).nsPath ?? '';
          if (nsPath.startsWith('/var/run/netns/berth-pool-')) spawnSync('ip', ['netns', 'delete', nsPath.split('/').pop()!]);
        } catch { /* torn file */ }
      }
      // Anything left behind: runtime state, conmons, overlay mounts.
      const runcRoot = join(execRoot, 'runc');
      if (existsSync(runcRoot)) {
        const ls = spawnSync('runc', ['--root', runcRoot, 'list', '-q'], { encoding: 'utf8' });
        for (const id of (ls.stdout ?? '').split('\n').filter(Boolean)) spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
      }
      const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m && m.startsWith(base));
      for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Runs the docker CLI against `d`, asserts it exited 0, and returns its stdout. */
export function dockerOk(d: TestDaemon, args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): string {
  const r = d.docker(args, { timeoutMs: 90_000, ...opts });
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** Runs the docker CLI against `d`, asserts it failed, and returns its stderr. */
export function dockerFails(d: TestDaemon, args: string[], timeoutMs = 60_000): string {
  const r = d.docker(args, { timeoutMs });
  assert.notEqual(r.code, 0, `docker ${args.join(' ')} should fail: ${r.stdout}`);
  return r.stderr;
}
