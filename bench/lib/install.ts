// Installs the reference engine and the registry when missing: Debian's docker.io (dockerd 20.10 with
// containerd and runc) and docker-registry. Package scripts must not start a system dockerd on the
// default socket, so a policy-rc.d that denies service starts is in place during the install (only when
// the host has none, and removed afterwards).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, unlinkSync } from 'node:fs';

const PACKAGES: Array<[string, string]> = [
  ['docker.io', '/usr/sbin/dockerd'],
  ['docker-registry', '/usr/bin/docker-registry'],
];
const POLICY = '/usr/sbin/policy-rc.d';

export function ensurePackages(log: (msg: string) => void): void {
  const missing = PACKAGES.filter(([, probe]) => !existsSync(probe)).map(([name]) => name);
  if (missing.length === 0) return;
  log(`installing Debian packages: ${missing.join(' ')}`);
  const ownPolicy = !existsSync(POLICY);
  if (ownPolicy) writeFileSync(POLICY, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing],
      { stdio: ['ignore', 'ignore', 'inherit'], env, timeout: 600_000 });
    let r = install();
    if (r.status !== 0) {
      spawnSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env, timeout: 300_000 });
      r = install();
    }
    if (r.status !== 0) log(`apt-get install ${missing.join(' ')} failed; workloads that need them will be skipped`);
  } finally {
    if (ownPolicy) { try { unlinkSync(POLICY); } catch { /* already gone */ } }
  }
}
