// A reference Docker of the test's own, for tests that compare Berth with what Docker does: Debian's
// dockerd on a temporary socket, data root and exec root, on a bridge of its own name and subnet (the
// benchmark's engine, bench/engines/dockerd.ts), with busybox:latest imported from the host's
// busybox-static. Never a daemon someone started by hand: CI has none. Where dockerd is not installed
// or will not start, the caller gets the reason to skip with.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerdEngine } from '../../bench/engines/dockerd.js';
import { planBridges } from '../../bench/lib/bridge.js';
import { makeRootfsTar } from '../../bench/lib/busybox-image.js';
import { DOCKER } from './daemon.js';

const DOCKERD = '/usr/sbin/dockerd';

export interface RefDockerd {
  /** unix:///… of this dockerd, for `docker -H`. */
  host: string;
  socket: string;
  /** The docker CLI against this dockerd (classic builder, its own config dir). */
  docker(args: string[], opts?: { input?: string; env?: NodeJS.ProcessEnv }): SpawnSyncReturns<string>;
  stop(): Promise<void>;
}

/** Starts a private dockerd with busybox:latest, or returns why it cannot (for `skip`). */
export async function startRefDockerd(): Promise<RefDockerd | string> {
  if (!existsSync(DOCKERD)) return `no reference dockerd: ${DOCKERD} is absent (Debian's docker.io)`;
  if (!existsSync(DOCKER)) return `no docker CLI at ${DOCKER}`;
  const base = mkdtempSync(join(tmpdir(), 'berth-refd-'));
  let bridges;
  try { bridges = planBridges(process.pid); } catch (err) { return `no reference dockerd: ${(err as Error).message}`; }
  const engine = new DockerdEngine(base, bridges.docker);
  await engine.start();
  if (engine.failure) {
    const why = engine.failure;
    await engine.stop();
    return `no reference dockerd: ${why}`;
  }
  const docker: RefDockerd['docker'] = (args, opts = {}) => spawnSync(DOCKER, args, {
    encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL', input: opts.input,
    env: { ...engine.cliEnv(), ...opts.env },
  });
  const tar = makeRootfsTar(base);
  const imported = docker(['import', '-c', 'CMD ["sh"]', tar, 'busybox:latest']);
  if (imported.status !== 0) {
    await engine.stop();
    return `no reference dockerd: importing busybox failed: ${imported.stderr}`;
  }
  return { host: engine.host, socket: engine.socket, docker, stop: () => engine.stop() };
}
