// The compose tools the integration tests drive against a test berthd: `berth compose`, docker compose v2
// (built once from the Go module proxy into /var/cache/berth-test when Go is present) and Debian's
// docker-compose 1.29. Each is run with the daemon's DOCKER_HOST and DOCKER_CONFIG.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BERTH, DOCKER, type RunResult, type TestDaemon } from './daemon.js';

export const COMPOSE_V2_VERSION = 'v2.40.3';
const CACHE = '/var/cache/berth-test';
const V2_BINARY = join(CACHE, `docker-compose-${COMPOSE_V2_VERSION}`);
export const COMPOSE_V1 = '/usr/bin/docker-compose';

function goBinary(): string | undefined {
  for (const p of ['/usr/local/go/bin/go', '/usr/bin/go', '/usr/lib/go/bin/go']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/**
 * docker compose v2's binary, building it when missing: compose's go.mod has exclude directives, so it
 * cannot be `go install`ed at a version; a throwaway module that requires it builds its `cmd` package.
 * Returns the path, or the reason it is unavailable.
 */
export function ensureComposeV2(): { path?: string; reason?: string } {
  if (existsSync(V2_BINARY)) return { path: V2_BINARY };
  const go = goBinary();
  if (!go) return { reason: 'no Go toolchain on this machine: docker compose v2 cannot be built' };
  const src = join(CACHE, 'compose-v2-src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'go.mod'), `module berth-test/compose-v2-build\n\ngo 1.24\n\nrequire github.com/docker/compose/v2 ${COMPOSE_V2_VERSION}\n`);
  writeFileSync(join(src, 'tools.go'), '//go:build tools\n\npackage tools\n\nimport _ "github.com/docker/compose/v2/cmd"\n');
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
  process.stderr.write(`# building docker compose ${COMPOSE_V2_VERSION} from the Go module proxy (several minutes, once)\n`);
  const tidy = spawnSync(go, ['mod', 'tidy'], { cwd: src, env, encoding: 'utf8', timeout: 20 * 60_000 });
  if (tidy.status !== 0) return { reason: `go mod tidy failed: ${(tidy.stderr ?? '').slice(-500)}` };
  const tmp = `${V2_BINARY}.tmp`;
  const build = spawnSync(go, ['build', '-o', tmp, 'github.com/docker/compose/v2/cmd'], { cwd: src, env, encoding: 'utf8', timeout: 30 * 60_000 });
  if (build.status !== 0) return { reason: `building docker compose failed: ${(build.stderr ?? '').slice(-500)}` };
  copyFileSync(tmp, V2_BINARY);
  chmodSync(V2_BINARY, 0o755);
  return { path: V2_BINARY };
}

export type ComposeTool = 'berth' | 'v2' | 'v1';

export interface ComposeRunner {
  tool: ComposeTool;
  run(args: string[], opts?: { cwd?: string; env?: Record<string, string>; timeoutMs?: number }): RunResult;
}

/** The daemon helper gives each daemon its own DOCKER_CONFIG beside its socket. */
export function dockerConfigDir(d: TestDaemon): string {
  return join(dirname(d.socket), 'docker-config');
}

/** Installs the v2 binary as the docker CLI plugin in this daemon's DOCKER_CONFIG. */
export function installComposePlugin(d: TestDaemon, binary: string): void {
  const dir = join(dockerConfigDir(d), 'cli-plugins');
  mkdirSync(dir, { recursive: true });
  const target = join(dir, 'docker-compose');
  if (!existsSync(target)) copyFileSync(binary, target);
  chmodSync(target, 0o755);
}

export function composeRunner(d: TestDaemon, tool: ComposeTool): ComposeRunner {
  return {
    tool,
    run(args, opts = {}) {
      const env: NodeJS.ProcessEnv = {
        ...process.env, DOCKER_HOST: d.host, BERTH_HOST: d.host, DOCKER_CONFIG: dockerConfigDir(d),
        COMPOSE_BAKE: 'false', DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0', NO_COLOR: '1', ...opts.env,
      };
      delete env.COMPOSE_PROJECT_NAME;
      delete env.COMPOSE_FILE;
      const [cmd, pre] = tool === 'berth' ? [process.execPath, [BERTH, '-H', d.host, 'compose']] : tool === 'v2' ? [DOCKER, ['compose']] : [COMPOSE_V1, []];
      // SIGKILL on timeout: an attached compose would forward a gentler signal to its containers.
      const r = spawnSync(cmd, [...pre, ...args], { cwd: opts.cwd, env, encoding: 'utf8', timeout: opts.timeoutMs ?? 180_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
      return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
    },
  };
}
