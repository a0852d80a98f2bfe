// The reference engine: Debian's dockerd 20.10 with the containerd it manages itself, on a socket, data
// root, exec root and pidfile of its own. No bridge and no iptables rules: benchmark containers use
// `--network none` on both engines, and the host's networking stays as it was.
import { writeFileSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonEngine, type DaemonSpec } from './daemon-process.js';

export class DockerdEngine extends DaemonEngine {
  /** A cgroup parent of its own, so its containers never meet another dockerd's under /docker. */
  private readonly cgroupParent = `berth-bench-docker-${process.pid}`;

  constructor(base: string) { super('docker', base); }

  override async stop(): Promise<void> {
    await super.stop();
    // dockerd leaves the (empty) parent cgroup in every v1 hierarchy; remove it, deepest first.
    const rmTree = (dir: string) => {
      try {
        for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmTree(`${dir}/${e.name}`);
        rmdirSync(dir);
      } catch { /* absent, or still busy */ }
    };
    for (const ctrl of readdirSync('/sys/fs/cgroup')) rmTree(`/sys/fs/cgroup/${ctrl}/${this.cgroupParent}`);
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
        '--bridge=none', '--iptables=false', '--ip6tables=false', '--ip-masq=false',
        '--cgroup-parent', `/${this.cgroupParent}`,
        '--log-level', 'warn',
      ],
      runtimeRoots: [join(this.base, 'exec', 'runtime-runc', 'moby')],
      readyTimeoutMs: 30_000,
    };
  }
}
