// The reference engine: Debian's dockerd 20.10 with the containerd it manages itself, on a socket, data
// root, exec root and pidfile of its own, on its normal default bridge — but a bridge of this run's own
// name and subnet (bench/lib/bridge.ts), made before it starts and removed with its rules after it stops.
import { writeFileSync } from 'node:fs';
import { dockerCgroupParent, removeCgroupParent } from '../lib/cgroups.js';
import { join } from 'node:path';
import { DaemonEngine, type DaemonSpec } from './daemon-process.js';
import { createBridge, removeBridge, type BenchBridge } from '../lib/bridge.js';

export class DockerdEngine extends DaemonEngine {
  /** A cgroup parent of its own, so its containers never meet another dockerd's under /docker. */
  private readonly cgroupParent = dockerCgroupParent(process.pid);

  constructor(base: string, readonly bridge: BenchBridge) { super('docker', base); }

  override async start(): Promise<void> {
    try {
      createBridge(this.bridge);
    } catch (err) {
      this.failure = `bridge ${this.bridge.name}: ${(err as Error).message}`;
      return;
    }
    await super.start();
  }

  override async stop(): Promise<void> {
    await super.stop();
    removeCgroupParent(this.cgroupParent);
    removeBridge(this.bridge);
  }

  protected spec(): DaemonSpec {
    const config = join(this.base, 'daemon.json');
    writeFileSync(config, '{}\n');
    return {
      command: '/usr/sbin/dockerd',
      args: [
        '-H', this.host,
        '--data-root', join(this.base, 'data'),
        '--exec-root', join(this.base, 'exec'),
        '--pidfile', join(this.base, 'dockerd.pid'),
        '--config-file', config,
        '--bridge', this.bridge.name, '--ip6tables=false',
        '--cgroup-parent', `/${this.cgroupParent}`,
        '--log-level', 'warn',
      ],
      runtimeRoots: [join(this.base, 'exec', 'runtime-runc', 'moby')],
      readyTimeoutMs: 30_000,
    };
  }
}
