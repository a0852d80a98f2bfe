// Berth's daemon from this checkout (dist/src/daemon/main.js), on roots of its own. With BENCH_PROFILE=1
// it runs under `node --cpu-prof` (the profile lands in bench/results/profiles/ when it stops) and logs at
// debug level, which includes its own step timings.
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { DaemonEngine, type DaemonSpec } from './daemon-process.js';
import { removeBridge, type BenchBridge } from '../lib/bridge.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BERTHD_MAIN = join(REPO_ROOT, 'dist/src/daemon/main.js');
export const BERTH_CLI_MAIN = join(REPO_ROOT, 'dist/src/cli/main.js');

export class BerthdEngine extends DaemonEngine {
  /** berthd's default bridge, on this run's own name and subnet (`--bridge`, `--bip`); berthd makes it. */
  constructor(base: string, readonly bridge: BenchBridge, private readonly profileDir?: string) { super('berth', base); }

  override async stop(): Promise<void> {
    await super.stop();
    removeBridge(this.bridge);
  }

  protected spec(): DaemonSpec {
    const nodeFlags: string[] = [];
    if (this.profileDir) {
      mkdirSync(this.profileDir, { recursive: true });
      nodeFlags.push('--cpu-prof', '--cpu-prof-dir', this.profileDir);
    }
    const execRoot = join(this.base, 'exec');
    return {
      command: process.execPath,
      args: [...nodeFlags, BERTHD_MAIN, '-H', this.host, '--data-root', join(this.base, 'data'), '--exec-root', execRoot,
        '--bridge', this.bridge.name, '--bip', `${this.bridge.gateway}/${this.bridge.prefix}`, '--log-level', this.profileDir ? 'debug' : 'warn'],
      runtimeRoots: [join(execRoot, 'runc'), join(execRoot, 'runtime-runc'), join(execRoot, 'crun')],
      readyTimeoutMs: 30_000,
    };
  }
}
