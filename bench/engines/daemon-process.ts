// What both engines share: a daemon process started detached (its own process group, so a Ctrl-C on the
// terminal reaches only the benchmark, which then tears down in order), readiness by /_ping, the docker
// CLI and raw API bound to its socket, and a teardown that leaves nothing behind: containers removed
// through the API, the daemon stopped, stray runtime state deleted, helpers killed by pid, mounts under
// the engine's base unmounted, the base deleted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchEngine, EngineName } from './engine.js';
import { runCmd, sleep, type CmdOptions, type CmdResult } from '../lib/proc.js';
import { apiRequest, type ApiResult } from '../lib/api.js';
import { enginePids, measureMemory, type MemorySample } from '../lib/memory.js';

export const DOCKER_CLI = '/usr/local/bin/docker';

export interface DaemonSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** runc --root directories that may hold containers the daemon left behind. */
  runtimeRoots: string[];
  /** How long the daemon may take to answer /_ping. */
  readyTimeoutMs: number;
}

export abstract class DaemonEngine implements BenchEngine {
  failure?: string;
  image = 'busybox:latest';
  version = 'unknown';
  readonly host: string;
  readonly socket: string;
  readonly logPath: string;
  /** Where to keep a copy of the daemon's log when it stops (its base directory is deleted). */
  saveLogTo?: string;
  protected child?: ChildProcess;
  private stopped = false;

  constructor(readonly name: EngineName, readonly base: string) {
    mkdirSync(join(base, 'docker-config'), { recursive: true });
    this.socket = join(base, `${name}.sock`);
    this.host = `unix://${this.socket}`;
    this.logPath = join(base, `${name}d.log`);
  }

  protected abstract spec(): DaemonSpec;

  async start(): Promise<void> {
    const spec = this.spec();
    try {
      const fd = openSync(this.logPath, 'a');
      this.child = spawn(spec.command, spec.args, { stdio: ['ignore', fd, fd], detached: true, env: spec.env ?? process.env });
      this.child.on('error', (e) => { this.failure ??= `could not start: ${e.message}`; });
      await this.waitReady(spec.readyTimeoutMs);
      const v = await this.api('GET', '/version', undefined, 10_000);
      if (v.status === 200) this.version = String((JSON.parse(v.body) as { Version?: string }).Version ?? 'unknown');
    } catch (err) {
      this.failure = `${this.name}d did not start: ${(err as Error).message}`;
    }
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
        throw new Error(`exited with ${this.child.exitCode}: ${this.logTail()}`);
      }
      if (existsSync(this.socket)) {
        const ok = await apiRequest(this.socket, 'GET', '/_ping', undefined, 2000).then((r) => r.status === 200, () => false);
        if (ok) return;
      }
      await sleep(100);
    }
    throw new Error(`no answer on ${this.socket} within ${timeoutMs} ms: ${this.logTail()}`);
  }

  logTail(): string {
    try { return readFileSync(this.logPath, 'utf8').trim().split('\n').slice(-3).join(' | ').slice(0, 300); } catch { return ''; }
  }

  cliEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env, DOCKER_HOST: this.host, DOCKER_CONFIG: join(this.base, 'docker-config'),
      DOCKER_BUILDKIT: '0', DOCKER_CLI_HINTS: 'false',
    };
  }

  docker(args: string[], opts: CmdOptions = {}): Promise<CmdResult> {
    return runCmd(DOCKER_CLI, args, { ...opts, env: { ...this.cliEnv(), ...opts.env } });
  }

  api(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<ApiResult> {
    return apiRequest(this.socket, method, path, body, timeoutMs);
  }

  memory(): MemorySample {
    const procs = enginePids(this.child?.pid ?? -1, this.base);
    // berthd shows up as "node"; name it after the engine.
    for (const p of procs) if (p.pid === this.child?.pid) p.name = `${this.name}d`;
    return measureMemory(procs);
  }

  async removeAllContainers(): Promise<number> {
    const list = await this.api('GET', '/containers/json?all=1', undefined, 60_000);
    if (list.status !== 200) return 0;
    const ids = (JSON.parse(list.body) as Array<{ Id: string }>).map((c) => c.Id);
    let removed = 0;
    // Ten at a time: quick, and bounded by each request's own timeout.
    for (let i = 0; i < ids.length; i += 10) {
      const batch = ids.slice(i, i + 10).map((id) => this.api('DELETE', `/containers/${id}?force=1&v=1`, undefined, 60_000)
        .then((r) => { if (r.status < 300) removed++; }, () => undefined));
      await Promise.all(batch);
    }
    return removed;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const alive = () => this.child?.exitCode === null && this.child?.signalCode === null;
    if (this.child && alive()) {
      await this.removeAllContainers().catch(() => 0);
      const exited = new Promise((r) => this.child!.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000)]);
      if (alive()) { this.child.kill('SIGKILL'); await Promise.race([exited, sleep(5000)]); }
    }
    if (this.saveLogTo) { try { copyFileSync(this.logPath, this.saveLogTo); } catch { /* no log */ } }
    this.sweep();
  }

  /** Whatever outlived the daemon: runtime state, helper processes (by pid), mounts, the base dir. */
  private sweep(): void {
    for (const root of this.spec().runtimeRoots) {
      if (!existsSync(root)) continue;
      const ls = spawnSync('runc', ['--root', root, 'list', '-q'], { encoding: 'utf8', timeout: 10_000 });
      for (const id of (ls.stdout ?? '').split('\n').filter(Boolean)) {
        spawnSync('runc', ['--root', root, 'delete', '--force', id], { timeout: 10_000 });
      }
    }
    for (const p of enginePids(-1, this.base)) {
      try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n')
      .map((l) => (l.split(' ')[1] ?? '').replace(/\\040/g, ' '))
      .filter((m) => m === this.base || m.startsWith(this.base + '/'));
    for (const m of mounts.reverse()) spawnSync('umount', ['-l', m], { timeout: 10_000 });
    try { rmSync(this.base, { recursive: true, force: true, maxRetries: 3 }); } catch { /* busy; reported by the caller's check */ }
  }
}
