// When netavark runs. Runs that may create or delete firewall rules go one at a time (netavark 1.4 races
// on the shared chains) and take the host-wide lock exclusively; a set-up that only re-checks rules
// already there — the default bridge, nothing published, no DNS names, after this daemon's first set-up on
// that network — takes it shared and runs beside others, a bounded number at once (netavark.ts).
//
// In this daemon the runs pass a readers-writer gate that prefers writers: once an exclusive run waits,
// no new shared run starts, so a stream of container starts cannot hold a teardown off. (flock(2), which
// orders the runs of all daemons on the host, prefers no one; with berthd's own runs ordered here, an
// exclusive flock only waits for other daemons' shared runs.)
import type { NetworkRecord } from '../model/network.js';
import { netavarkSetup, type LockMode, type NetavarkOptions, type SetupResult } from '../netavark/netavark.js';

export class NetavarkRuns {
  private sharedRunning = 0;
  private exclusiveRunning = false;
  private readonly exclusiveWaiting: Array<() => void> = [];
  private readonly sharedWaiting: Array<() => void> = [];
  /** Networks this daemon has set up once (exclusively): later set-ups there find the rules in place. */
  private readonly rulesSeen = new Set<string>();

  constructor(private readonly sharedLimit: number) {}

  /** Runs `fn` alone: after the runs before it, with no shared run beside it. */
  async serial<T>(fn: () => Promise<T>): Promise<T> {
    await new Promise<void>((r) => { this.exclusiveWaiting.push(r); this.pump(); });
    try { return await fn(); } finally { this.exclusiveRunning = false; this.pump(); }
  }

  /** Runs `fn` beside other shared runs (at most sharedLimit), never beside an exclusive one. */
  private async shared<T>(fn: () => Promise<T>): Promise<T> {
    await new Promise<void>((r) => { this.sharedWaiting.push(r); this.pump(); });
    try { return await fn(); } finally { this.sharedRunning--; this.pump(); }
  }

  /** Lets waiters in: an exclusive one when nothing runs, else shared ones while no exclusive one waits. */
  private pump(): void {
    if (this.exclusiveRunning) return;
    if (this.exclusiveWaiting.length) {
      if (this.sharedRunning > 0) return;
      this.exclusiveRunning = true;
      this.exclusiveWaiting.shift()!();
      return;
    }
    while (this.sharedRunning < this.sharedLimit && this.sharedWaiting.length) {
      this.sharedRunning++;
      this.sharedWaiting.shift()!();
    }
  }

  lockFor(net: NetworkRecord, options: NetavarkOptions): LockMode {
    const dns = (Object.values(options.network_info)[0] as { dns_enabled?: boolean } | undefined)?.dns_enabled;
    const bridge = net.Driver === 'bridge' ? net.BridgeName : undefined;
    const shared = this.sharedLimit > 1 && !!bridge && !options.port_mappings?.length && dns === false && this.rulesSeen.has(net.Id);
    return shared ? { exclusive: false, bridge } : { exclusive: true };
  }

  async setup(net: NetworkRecord, bin: () => string, configDir: string, nsPath: string, options: NetavarkOptions, background: boolean): Promise<SetupResult> {
    const lock = this.lockFor(net, options);
    const run = () => netavarkSetup(bin(), configDir, nsPath, options, { background, lock });
    if (!lock.exclusive) return this.shared(run);
    const res = await this.serial(run);
    this.rulesSeen.add(net.Id);
    return res;
  }
}
