// netavark 1.4 leaves an empty per-network DNAT chain (NETAVARK-DN-<hash>) behind after the last
// teardown of a network. Berth's netavark network names are unique per network, so such a chain is
// Berth's own and can go once it is empty and unreferenced. The shared chains (NETAVARK-HOSTPORT-*,
// NETAVARK_FORWARD, NETAVARK_ISOLATION_*) stay, empty: other engines and daemons on the host use them
// concurrently, and netavark 1.4 fails when one of them vanishes under it.
import { existsSync } from 'node:fs';
import { log } from '../util/log.js';
import { runCommand as run } from '../util/run-command.js';
import { FLOCK, HOST_LOCK } from './netavark.js';

/** Removes empty, unreferenced NETAVARK-DN-* chains. */
export async function sweepNetavarkChains(): Promise<void> {
  let nat: string[];
  try { nat = (await run('iptables', ['-w', '-t', 'nat', '-S'])).stdout.split('\n').filter(Boolean); } catch { return; }
  const chains = nat.filter((l) => l.startsWith('-N NETAVARK-DN-')).map((l) => l.slice(3));
  const used = (c: string) => nat.some((l) => l.startsWith(`-A ${c} `) || l.endsWith(`-j ${c}`) || l.includes(`-j ${c} `));
  for (const c of chains.filter((c) => !used(c))) {
    // Under the host-wide netavark lock: never between a netavark run's check of the chain and its use.
    const cmd = existsSync(FLOCK) && existsSync('/run/lock') ? [FLOCK, ['-o', '-w', '60', HOST_LOCK, 'iptables', '-w', '-t', 'nat', '-X', c]] as const : ['iptables', ['-w', '-t', 'nat', '-X', c]] as const;
    await run(cmd[0], [...cmd[1]]).catch((err: unknown) => log.debug('iptables sweep step failed', { chain: c, err: String(err) }));
  }
}

/** iptables -S output back into arguments (double-quoted comments kept whole). */
export function splitRule(rule: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(rule); m; m = re.exec(rule)) out.push(m[1] !== undefined ? m[1] : m[2]);
  return out;
}

/**
 * netavark 1.4's complete teardown of an isolated network (its last endpoint: the bridge goes) deletes
 * the shared `FORWARD -j NETAVARK_ISOLATION_1` jump even while other networks' rules are still in that
 * chain — every other network on the host (other daemons' too) then loses its isolation until some
 * netavark set-up puts the jump back (measured: `setup` then `teardown` of a throwaway isolated network
 * removed the jump while berth0's rules stayed). After such a teardown the jump is put back, under the
 * host-wide lock, when the chain still has rules. Nothing else of the firewall is touched.
 */
export async function restoreIsolationJump(): Promise<void> {
  const locked = existsSync(FLOCK) && existsSync('/run/lock');
  const iptables = (args: string[]) => (locked ? run(FLOCK, ['-o', '-w', '60', HOST_LOCK, 'iptables', '-w', ...args]) : run('iptables', ['-w', ...args]));
  try {
    const chain = (await iptables(['-S', 'NETAVARK_ISOLATION_1'])).stdout;
    if (!chain.includes('-A NETAVARK_ISOLATION_1 ')) return;
    const present = await iptables(['-C', 'FORWARD', '-j', 'NETAVARK_ISOLATION_1']).then(() => true, () => false);
    if (!present) await iptables(['-I', 'FORWARD', '1', '-j', 'NETAVARK_ISOLATION_1']);
  } catch (err) {
    log.debug('restoring the isolation jump failed', { err: String(err) });
  }
}
