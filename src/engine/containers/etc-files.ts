// The /etc/hosts, /etc/hostname and /etc/resolv.conf a container gets, generated in its directory and
// bind-mounted in (as Docker does, so `docker cp` and edits inside stay per container).
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { containerResolvConf, hostsFile } from '../../network/etc-files.js';

export { containerResolvConf, hostsFile };

function readHost(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}

export async function writeEtcFiles(paths: { hosts: string; hostname: string; resolvConf: string }, opts: { hostname: string; networkMode: string; extraHosts?: string[] | null; ip?: string }): Promise<void> {
  const hostNet = opts.networkMode === 'host';
  await Promise.all([
    writeFile(paths.hostname, opts.hostname + '\n', { mode: 0o644 }),
    writeFile(paths.hosts, hostNet ? readHost('/etc/hosts') || hostsFile(os.hostname()) : hostsFile(opts.hostname, opts.ip, opts.extraHosts ?? []), { mode: 0o644 }),
    writeFile(paths.resolvConf, containerResolvConf(readHost('/etc/resolv.conf'), hostNet), { mode: 0o644 }),
  ]);
}
