// netavark 1.4 leaves an empty per-network DNAT chain behind after the last teardown, and its shared
// chains (NETAVARK-HOSTPORT-*, NETAVARK_FORWARD) forever. Once no netavark network is left on the host,
// this removes them so that nothing of Berth's stays in the firewall.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { log } from '../util/log.js';

const run = promisify(execFile);

async function rules(table: string): Promise<string[]> {
  const { stdout } = await run('iptables', ['-w', '-t', table, '-S']);
  return stdout.split('\n').filter(Boolean);
}

async function ipt(table: string, args: string[]): Promise<void> {
  await run('iptables', ['-w', '-t', table, ...args]).catch((err: unknown) => log.debug('iptables sweep step failed', { table, args: args.join(' '), err: String(err) }));
}

/** Removes empty, unreferenced NETAVARK-DN-* chains; then the shared chains when no network is left. */
export async function sweepNetavarkChains(): Promise<void> {
  let nat: string[];
  try { nat = await rules('nat'); } catch { return; }
  const chains = nat.filter((l) => l.startsWith('-N NETAVARK-')).map((l) => l.slice(3));
  const used = (c: string) => nat.some((l) => l.startsWith(`-A ${c} `)) || nat.some((l) => l.includes(`-j ${c}`) && !l.startsWith(`-A ${c} `));
  for (const c of chains.filter((c) => c.startsWith('NETAVARK-DN-') && !used(c))) await ipt('nat', ['-X', c]);
  const networkChains = chains.filter((c) => !c.startsWith('NETAVARK-HOSTPORT-') && !c.startsWith('NETAVARK-DN-'));
  const portRules = nat.some((l) => l.startsWith('-A NETAVARK-HOSTPORT-DNAT '));
  if (networkChains.length || portRules) return;
  // No netavark network anywhere on the host: the shared chains can go.
  for (const l of nat.filter((l) => /^-A (PREROUTING|OUTPUT|POSTROUTING) .*-j NETAVARK-HOSTPORT-/.test(l))) await ipt('nat', ['-D', ...splitRule(l.slice(3))]);
  for (const c of ['NETAVARK-HOSTPORT-DNAT', 'NETAVARK-HOSTPORT-MASQ', 'NETAVARK-HOSTPORT-SETMARK']) {
    if (chains.includes(c)) { await ipt('nat', ['-F', c]); await ipt('nat', ['-X', c]); }
  }
  let filter: string[];
  try { filter = await rules('filter'); } catch { return; }
  const shared = ['NETAVARK_FORWARD', 'NETAVARK_ISOLATION_1', 'NETAVARK_ISOLATION_2'];
  if (filter.some((l) => shared.some((c) => l.startsWith(`-A ${c} `)))) return;
  for (const l of filter.filter((l) => /^-A FORWARD .*-j NETAVARK_(FORWARD|ISOLATION_1)/.test(l))) await ipt('filter', ['-D', ...splitRule(l.slice(3))]);
  for (const c of shared) if (filter.includes(`-N ${c}`)) await ipt('filter', ['-X', c]);
}

/** iptables -S output back into arguments (double-quoted comments kept whole). */
export function splitRule(rule: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(rule); m; m = re.exec(rule)) out.push(m[1] !== undefined ? m[1] : m[2]);
  return out;
}
