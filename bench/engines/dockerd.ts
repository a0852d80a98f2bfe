// The reference engine: Debian's dockerd 20.10 with the containerd it manages itself, on a socket, data
// root, exec root and pidfile of its own. No bridge and no iptables rules: benchmark containers use
// `--network none` on both engines, and the host's networking stays as it was.
import { writeFileSync } from 'node:fs';
import { dockerCgroupParent, removeCgroupParent } from '../lib/cgroups.js';
import { join } from 'node:path';
import { DaemonEngine, type DaemonSpec } from './daemon-process.js';

export class DockerdEngine extends DaemonEngine {
  /** A cgroup parent of its own, so its containers never meet another dockerd's under /docker. */
  private readonly cgroupParent = dockerCgroupParent(process.pid);

  constructor(base: string) { super('docker', base); }

  override async stop(): Promise<void> {
    await super.stop();
    removeCgroupParent(this.cgroupParent);
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
