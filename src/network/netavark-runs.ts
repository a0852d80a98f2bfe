// When netavark runs. Runs that may create or delete firewall rules go one at a time (netavark 1.4 races
// on the shared chains) and take the host-wide lock exclusively; a set-up that only re-checks rules
// already there — the default bridge, nothing published, no DNS names, after this daemon's first set-up on
// that network — takes it shared and runs beside others, a bounded number at once (netavark.ts).
import type { NetworkRecord } from '../model/network.js';
import { netavarkSetup, type LockMode, type NetavarkOptions, type SetupResult } from '../netavark/netavark.js';

export class NetavarkRuns {
  private queue: Promise<unknown> = Promise.resolve();
  private sharedRunning = 0;
  private readonly sharedWaiting: Array<() => void> = [];
  /** Networks this daemon has set up once (exclusively): later set-ups there find the rules in place. */
  private readonly rulesSeen = new Set<string>();

  constructor(private readonly sharedLimit: number) {}

  /** Runs `fn` after every exclusive run queued before it. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => undefined).then(fn);
    this.queue = next;
    return next;
  }

  lockFor(net: NetworkRecord, options: NetavarkOptions): LockMode {
    const dns = (Object.values(options.network_info)[0] as { dns_enabled?: boolean } | undefined)?.dns_enabled;
    const bridge = net.Driver === 'bridge' ? net.BridgeName : undefined;
    // Off by default (limit 1): flock(2) prefers no one, so a stream of shared runs from several daemons
    // can starve an exclusive teardown past its 60 s wait (seen: a DNAT rule left under load).
    const shared = this.sharedLimit > 1 && !!bridge && !options.port_mappings?.length && dns === false && this.rulesSeen.has(net.Id);
    return shared ? { exclusive: false, bridge } : { exclusive: true };
  }

  async setup(net: NetworkRecord, bin: () => string, configDir: string, nsPath: string, options: NetavarkOptions, background: boolean): Promise<SetupResult> {
    const lock = this.lockFor(net, options);
    const run = () => netavarkSetup(bin(), configDir, nsPath, options, { background, lock });
    if (lock.exclusive) {
      const res = await this.serial(run);
      this.rulesSeen.add(net.Id);
      return res;
    }
    // A finished run hands its slot straight to the next waiter, so the bound holds exactly.
    if (this.sharedRunning >= this.sharedLimit) await new Promise<void>((r) => this.sharedWaiting.push(r));
    else this.sharedRunning++;
    try { return await run(); } finally {
      const next = this.sharedWaiting.shift();
      if (next) next(); else this.sharedRunning--;
    }
  }
}
