// The /etc/hosts, /etc/hostname and /etc/resolv.conf a container gets, generated in its directory and
// bind-mounted in (as Docker does, so `docker cp` and edits inside stay per container).
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';

const HOSTS_BASE = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::\tip6-localnet',
  'ff00::\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

function readHost(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}

/** The host's resolv.conf without loopback nameservers (unreachable from a separate netns). */
export function containerResolvConf(hostText: string, hostNetwork: boolean): string {
  if (hostNetwork) return hostText;
  const lines = hostText.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1\s*$)/.test(l));
  if (!lines.some((l) => /^\s*nameserver\s/.test(l))) {
    // Docker's fallback when nothing usable is left.
    lines.push('nameserver 8.8.8.8', 'nameserver 8.8.4.4');
  }
  return lines.join('\n').replace(/\n*$/, '\n');
}

export function hostsFile(hostname: string, ip?: string, extra: string[] = []): string {
  const lines = [...HOSTS_BASE];
  for (const e of extra) {
    const [name, addr] = [e.slice(0, e.lastIndexOf(':')), e.slice(e.lastIndexOf(':') + 1)];
    if (name && addr) lines.push(`${addr}\t${name}`);
  }
  if (ip) lines.push(`${ip}\t${hostname}`);
  return lines.join('\n') + '\n';
}

export async function writeEtcFiles(paths: { hosts: string; hostname: string; resolvConf: string }, opts: { hostname: string; networkMode: string; extraHosts?: string[] | null; ip?: string }): Promise<void> {
  const hostNet = opts.networkMode === 'host';
  await Promise.all([
    writeFile(paths.hostname, opts.hostname + '\n', { mode: 0o644 }),
    writeFile(paths.hosts, hostNet ? readHost('/etc/hosts') || hostsFile(os.hostname()) : hostsFile(opts.hostname, opts.ip, opts.extraHosts ?? []), { mode: 0o644 }),
    writeFile(paths.resolvConf, containerResolvConf(readHost('/etc/resolv.conf'), hostNet), { mode: 0o644 }),
  ]);
}
