// /etc/hosts and /etc/resolv.conf of a container on a bridge network, rewritten at each start: its own
// address in hosts, and the network's DNS server (aardvark-dns on the gateway) on user-defined networks.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

const HOSTS_BASE = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::\tip6-localnet',
  'ff00::\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

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
    // `name:address`, split at the first colon as dockerd does (the address may be IPv6).
    const [name, addr] = [e.slice(0, e.indexOf(':')), e.slice(e.indexOf(':') + 1)];
    if (name && addr) lines.push(`${addr}\t${name}`);
  }
  if (ip) lines.push(`${ip}\t${hostname}`);
  return lines.join('\n') + '\n';
}

export interface DnsOptions { servers?: string[] | null; search?: string[] | null; options?: string[] | null }

/** resolv.conf: --dns/--dns-search/--dns-option win; else the network's DNS server or the host's. */
export function resolvConfText(hostText: string, networkDns: string[], user: DnsOptions): string {
  const base = containerResolvConf(hostText, false).split('\n').filter(Boolean);
  const servers = user.servers?.length ? user.servers : networkDns.length ? networkDns : base.filter((l) => /^\s*nameserver\s/.test(l)).map((l) => l.trim().split(/\s+/)[1]);
  const search = user.search?.length ? [`search ${user.search.join(' ')}`] : base.filter((l) => /^\s*(search|domain)\s/.test(l));
  const options = user.options?.length ? [`options ${user.options.join(' ')}`] : base.filter((l) => /^\s*options\s/.test(l));
  return [...servers.map((s) => `nameserver ${s}`), ...search, ...options].join('\n') + '\n';
}

export async function writeNetworkEtcFiles(paths: { hosts: string; resolvConf: string }, opts: { hostname: string; ip: string; extraHosts?: string[] | null; networkDns: string[]; dns: DnsOptions }): Promise<void> {
  let hostResolv = '';
  try { hostResolv = readFileSync('/etc/resolv.conf', 'utf8'); } catch { /* none on this host */ }
  await Promise.all([
    writeFile(paths.hosts, hostsFile(opts.hostname, opts.ip || undefined, opts.extraHosts ?? []), { mode: 0o644 }),
    writeFile(paths.resolvConf, resolvConfText(hostResolv, opts.networkDns, opts.dns), { mode: 0o644 }),
  ]);
}
