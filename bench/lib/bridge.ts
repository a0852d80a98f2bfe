// Each engine's default bridge, on a name and subnet of this run's own (host-notes "Side by side on the
// default bridge"), so neither engine touches another Docker or berthd on the host. dockerd is given a
// bridge made here (`--bridge NAME`, as a user of `bridge` in daemon.json would); berthd makes its own
// from `--bridge NAME --bip CIDR`. At the end the bridge goes, and so does every firewall rule that
// names it or its subnet — nothing else is touched.
import { spawnSync } from 'node:child_process';

export interface BenchBridge { name: string; subnet: string; gateway: string; prefix: number }

/** /16s of 10.0.0.0/8 that no route on the host overlaps, from the top down (10.99 is the shared ref dockerd's). */
function freeSlash16s(): number[] {
  const r = spawnSync('ip', ['-j', '-4', 'route'], { encoding: 'utf8', timeout: 10_000 });
  let taken: string[] = [];
  try { taken = (JSON.parse(r.stdout) as Array<{ dst?: string }>).map((x) => x.dst ?? '').filter((d) => d.startsWith('10.')); } catch { /* no routes in 10/8 */ }
  const overlapping = (second: number) => taken.some((d) => {
    const [ip, p = '32'] = d.split('/');
    const parts = ip.split('.').map(Number);
    return Number(p) <= 8 || (parts[1] === second);
  });
  const out: number[] = [];
  for (let second = 98; second >= 60; second--) if (!overlapping(second)) out.push(second);
  return out;
}

/** Two bridges' worth of names and subnets for this run: one for dockerd, one for berthd. */
export function planBridges(ownerPid: number): { docker: BenchBridge; berth: BenchBridge } {
  const free = freeSlash16s();
  if (free.length < 2) throw new Error('no two free /16 subnets in 10.0.0.0/8 for the benchmark bridges');
  const tag = String(ownerPid % 100000);
  const make = (name: string, second: number): BenchBridge => ({ name, subnet: `10.${second}.0.0/16`, gateway: `10.${second}.0.1`, prefix: 16 });
  return { docker: make(`bdk${tag}`, free[0]), berth: make(`bbt${tag}`, free[1]) };
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${(r.stderr || '').trim()}`);
}

/** The bridges a run (by its pid) made and still has, with the subnets found on them: for the stale-run sweep. */
export function bridgesOf(ownerPid: number): BenchBridge[] {
  const tag = String(ownerPid % 100000);
  const out: BenchBridge[] = [];
  for (const name of [`bdk${tag}`, `bbt${tag}`]) {
    const r = spawnSync('ip', ['-j', '-4', 'addr', 'show', 'dev', name], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) continue;
    let addr: { local?: string; prefixlen?: number } | undefined;
    try { addr = (JSON.parse(r.stdout) as Array<{ addr_info?: Array<{ local?: string; prefixlen?: number }> }>)[0]?.addr_info?.[0]; } catch { /* unreadable */ }
    const [a = 0, b = 0] = (addr?.local ?? '0.0').split('.').map(Number);
    out.push({ name, subnet: `${a}.${b}.0.0/16`, gateway: addr?.local ?? '', prefix: addr?.prefixlen ?? 16 });
  }
  return out;
}

/** The bridge dockerd's `--bridge` expects to exist, with its gateway address, up. */
export function createBridge(b: BenchBridge): void {
  removeBridge(b);
  ip(['link', 'add', b.name, 'type', 'bridge']);
  ip(['addr', 'add', `${b.gateway}/${b.prefix}`, 'dev', b.name]);
  ip(['link', 'set', b.name, 'up']);
}

/** Deletes the bridge and every iptables rule (filter and nat) that names it or its subnet. */
export function removeBridge(b: BenchBridge): void {
  spawnSync('ip', ['link', 'del', b.name], { timeout: 10_000 });
  for (const table of ['filter', 'nat']) {
    const r = spawnSync('iptables', ['-w', '-t', table, '-S'], { encoding: 'utf8', timeout: 10_000 });
    const rules = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('-A ') && (l.includes(` ${b.name} `) || l.endsWith(` ${b.name}`) || l.includes(b.subnet)));
    for (const rule of rules) {
      const args = splitRule(rule.slice(3));
      spawnSync('iptables', ['-w', '-t', table, '-D', ...args], { timeout: 10_000 });
    }
  }
}

/** iptables -S output back into arguments (double-quoted comments kept whole). */
function splitRule(rule: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(rule); m; m = re.exec(rule)) out.push(m[1] !== undefined ? m[1] : m[2]);
  return out;
}
