// A container's side of networking: at start a named namespace, one netavark endpoint per network
// (addresses from Berth's IPAM, published ports on the first), /etc/hosts and resolv.conf; at exit or
// removal all of it torn down. Endpoint options are kept under the exec root, so a restarted berthd
// tears down exactly what was set up. The fast path: a container on the default bridge alone, without published ports or a fixed MAC, takes
// a namespace that netavark already set up (netns-pool.ts) and pays nothing for its network at start;
// its teardown runs in the background (its address stays taken until netavark is done), and when nothing
// of the container can have changed the namespace it goes back to the pool instead (recyclable()).
// Set-ups on the default bridge with nothing published may run in parallel (BERTH_NETAVARK_PARALLEL).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { conflict, errorMessage, invalidArgument } from '../errors.js';
import type { ContainerRecord } from '../model/container.js';
import type { EventBus } from '../model/events.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { log } from '../util/log.js';
import { hostsFile, writeNetworkEtcFiles } from './etc-files.js';
import { restoreIsolationJump, sweepNetavarkChains } from '../netavark/firewall-sweep.js';
import { assignHostPorts, type PortsInUse } from '../netavark/host-ports.js';
import { allocateIp, contains, formatIp, parseCidr, parseIp, size } from '../netavark/ipv4.js';
import { isIpv6 } from '../netavark/ipv6.js';
import { netavarkOptions, netavarkTeardown, type NetavarkOptions } from '../netavark/netavark.js';
import { NetavarkRuns } from './netavark-runs.js';
import { hostPortsInUse, ips6InUse, ipsInUse, type HeldResources } from './in-use.js';
import { createNamedNetns, createNetns, deleteNetns, deleteNetnsAt, NETNS_DIR, netnsPath, pinBridgeMac } from '../netavark/netns.js';
import { NetnsPool, type PoolEntry } from '../netavark/netns-pool.js';
import { anyPublished, asPoolEntry, poolable, recyclable, type SavedEndpoint } from './endpoint-files.js';
import type { NetworkStore } from './network-store.js';
import { portRequests, portsView } from './ports.js';
import { pickIp6, v4Pool } from './ipam6.js';
import type { EndpointSettings, NetworkRecord, PortMapping } from '../model/network.js';

export interface ContainerAccess {
  all(): ContainerRecord[];
  resolve(ref: string): ContainerRecord;
  isRunning(rec: ContainerRecord): boolean;
  /** Changes the stored record under the container's lock (the one start, exit clean-up and rm take), saved once. */
  update<T>(id: string, change: (rec: ContainerRecord) => Promise<T>): Promise<T>;
  etcPaths(id: string): { hosts: string; resolvConf: string };
}

/** --add-host entries, `host-gateway` as the first network's gateway. */
function extraHostsOf(rec: ContainerRecord, first: EndpointSettings | undefined): string[] {
  return ((rec.HostConfig.ExtraHosts as string[] | null) ?? []).map((h) => h.replace(/:host-gateway$/, `:${first?.Gateway ?? ''}`));
}

/** Addresses and host ports of a run being torn down: still taken until netavark is done. */
interface Releasing extends HeldResources { done: Promise<void>; background: boolean }

export class Endpoints {
  private readonly releasing = new Map<string, Releasing>();
  /** Ready namespaces on the default bridge (none without netavark, or with a pool size of 0). */
  private pool?: NetnsPool;
  /** netavark's runs: exclusive ones one at a time, default-bridge set-ups side by side (netavark-runs.ts). */
  private readonly runs: NetavarkRuns;

  constructor(
    private readonly store: NetworkStore,
    private readonly containers: () => ContainerAccess,
    private readonly events: EventBus,
    private readonly netavark: string | undefined,
    private readonly stateDir: string,
    sharedLimit = 1, // shared-lock set-ups at once (1: none, every run exclusive)
  ) {
    this.runs = new NetavarkRuns(sharedLimit);
  }

  get configDir(): string { return join(this.stateDir, 'netavark'); }
  private get poolDir(): string { return join(this.stateDir, 'pool'); }

  /**
   * After recovery: tears down what a previous berthd left in the pool, then fills it anew. Namespaces
   * are made for the default bridge `net`, `size` at a time.
   */
  async startPool(net: NetworkRecord, size: number): Promise<void> {
    if (!this.netavark || size <= 0) return;
    const pool = new NetnsPool(this.poolDir, size, {
      plan: (id) => this.planPooled(net, id),
      setup: async (e) => {
        await createNamedNetns(basename(e.nsPath));
        const res = await this.runs.setup(net, () => this.netavark!, this.configDir, e.nsPath, e.options, true);
        if (net.BridgeName) await pinBridgeMac(net.BridgeName);
        return res.mac;
      },
      destroy: (e) => this.destroyPooled(e),
      discard: (e) => deleteNetnsAt(e.nsPath),
    });
    const swept = await pool.sweep();
    if (swept) log.debug('netns pool: tore down leftovers of a previous run', { count: swept });
    this.pool = pool;
    pool.refill();
  }

  private planPooled(net: NetworkRecord, id: string): PoolEntry {
    const addr = this.pickIp(id, net, undefined);
    const options = netavarkOptions(net, { containerId: id, containerName: `berth-pool-${id.slice(0, 12)}`, interfaceName: 'eth0', ip: addr.ip, names: [], ports: [] });
    return { id, nsPath: `${NETNS_DIR}/berth-pool-${id.slice(0, 12)}`, networkId: net.Id, key: net.Name, options, ip: addr.ip, mac: '' };
  }

  private async destroyPooled(e: PoolEntry): Promise<void> {
    try {
      if (this.netavark && existsSync(e.nsPath)) {
        await this.runs.serial(() => netavarkTeardown(this.netavark!, this.configDir, e.nsPath, e.options));
        await this.afterTeardown(e.options);
      }
    } finally {
      await deleteNetnsAt(e.nsPath);
    }
  }

  /** When netavark removed a bridge (the network's last endpoint), the isolation it broke for the others is mended. */
  private async afterTeardown(options: NetavarkOptions): Promise<void> {
    const info = Object.values(options.network_info)[0] as { driver?: string; network_interface?: string } | undefined;
    if (info?.driver !== 'bridge' || !info.network_interface || existsSync(`/sys/class/net/${info.network_interface}`)) return;
    await restoreIsolationJump();
  }

  /** Stops the pool and waits (bounded) for background teardowns: nothing is left when berthd exits. */
  async shutdown(timeoutMs: number): Promise<void> {
    const work = Promise.all([this.pool?.close(), this.settled()]);
    await Promise.race([work, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }
  private dir(containerId: string): string { return join(this.stateDir, 'endpoints', containerId); }

  private usedIps(net: NetworkRecord): Set<number> {
    return ipsInUse(net, [...this.releasing.values()], this.pool && net.Name === 'bridge' ? this.pool.ips() : [], this.containers().all());
  }
  private usedIps6(net: NetworkRecord): string[] { return ips6InUse(net, [...this.releasing.values()], this.containers().all()); }
  private portsInUse(): PortsInUse { return hostPortsInUse([...this.releasing.values()], this.containers().all()); }

  private pickIp(ownerId: string, net: NetworkRecord, ep: EndpointSettings | undefined): { ip: string; prefix: number; gateway: string } {
    const pool = v4Pool(net);
    if (!pool?.Subnet || !pool.Gateway) throw invalidArgument(`network ${net.Name} has no IPv4 subnet`);
    const subnet = parseCidr(pool.Subnet);
    const gateway = parseIp(pool.Gateway);
    const used = this.usedIps(net);
    const wanted = ep?.IPAMConfig?.IPv4Address;
    if (wanted) {
      const ip = parseIp(wanted);
      if (!contains(subnet, ip)) throw invalidArgument(`no configured subnet or ip-range contain the IP address ${wanted}`);
      if (used.has(ip) || ip === gateway) throw conflict(`Address already in use`);
      return { ip: wanted, prefix: subnet.prefix, gateway: pool.Gateway };
    }
    const range = pool.IPRange ? parseCidr(pool.IPRange) : undefined;
    // Daemons sharing the default bridge (tests, side-by-side roots) start at different places.
    const offset = net.Name === 'bridge' ? parseInt(ownerId.slice(0, 8), 16) % Math.max(1, size(range ?? subnet) - 2) : 0;
    let ip = allocateIp(subnet, gateway, used, range, offset);
    if (ip === undefined) throw conflict(`no available IPv4 addresses on this network's address pools: ${net.Name} (${net.Id})`);
    return { ip: formatIp(ip), prefix: subnet.prefix, gateway: pool.Gateway };
  }

  /** Sets up every network of a bridge-mode container in a new namespace; returns its path. */
  async attach(rec: ContainerRecord, makeNamespace?: (path: string) => Promise<void>, linkHosts: string[] = []): Promise<string | undefined> {
    const ns = rec.NetworkSettings;
    if (!ns || !this.netavark) {
      if (!this.netavark) log.warn('netavark not found: container gets an unconnected network namespace', { id: rec.Id.slice(0, 12) });
      return undefined;
    }
    await this.releasing.get(rec.Id)?.done; // the previous run's teardown first
    const pooled = makeNamespace ? undefined : await this.takePooled(rec);
    const nsPath = pooled ?? await this.freshNamespace(rec, makeNamespace);
    ns.SandboxKey = nsPath;
    try {
      let dns: string[] = [];
      let first: EndpointSettings | undefined;
      let i = 0;
      for (const [key, ep] of Object.entries(ns.Networks)) {
        if (pooled) { first = ep; break; }
        const net = this.store.get(ep.NetworkID || key);
        const servers = await this.setupEndpoint(rec, net, key, `eth${i}`, i === 0);
        if (i === 0) { dns = servers; first = ep; }
        i++;
      }
      const hc = rec.HostConfig;
      await writeNetworkEtcFiles(this.containers().etcPaths(rec.Id), {
        hostname: String(rec.Config.Hostname ?? rec.Id.slice(0, 12)), ip: first?.IPAddress ?? '', extraHosts: [...extraHostsOf(rec, first), ...linkHosts], networkDns: dns,
        dns: { servers: hc.Dns as string[] | null, search: hc.DnsSearch as string[] | null, options: hc.DnsOptions as string[] | null },
      });
    } catch (err) {
      await this.release(rec);
      throw err;
    }
    return nsPath;
  }

  /** Only /etc/hosts, for a running container whose links changed (its own address is its first network's). */
  async writeHosts(rec: ContainerRecord, linkHosts: string[]): Promise<void> {
    const first = Object.values(rec.NetworkSettings?.Networks ?? {})[0];
    await writeFile(this.containers().etcPaths(rec.Id).hosts, hostsFile(String(rec.Config.Hostname ?? rec.Id.slice(0, 12)), first?.IPAddress || undefined, [...extraHostsOf(rec, first), ...linkHosts]), { mode: 0o644 });
  }

  /** A namespace of its own, once the teardowns still holding the ports or address it asks for are done. */
  private async freshNamespace(rec: ContainerRecord, makeNamespace?: (path: string) => Promise<void>): Promise<string> {
    const wantsPorts = Object.keys(rec.HostConfig.PortBindings ?? {}).length > 0 || !!rec.HostConfig.PublishAllPorts;
    const wantsIp = Object.values(rec.NetworkSettings?.Networks ?? {}).some((e) => e.IPAMConfig?.IPv4Address);
    if (wantsPorts || wantsIp) await this.settled(); // `rm -f web && run -p 80:80 --name web` must not clash with itself
    if (!makeNamespace) return createNetns(rec.Id);
    const path = netnsPath(rec.Id);
    await deleteNetnsAt(path); // one left by a crashed run
    await makeNamespace(path);
    return path;
  }

  /** The fast path: a ready namespace on the default bridge, its endpoint file now the container's. */
  private async takePooled(rec: ContainerRecord): Promise<string | undefined> {
    if (!this.pool || !poolable(rec)) return undefined;
    const ns = rec.NetworkSettings!;
    const ep = ns.Networks.bridge;
    const net = this.store.find(ep.NetworkID || 'bridge');
    if (!net || net.Name !== 'bridge') return undefined;
    await mkdir(this.dir(rec.Id), { recursive: true, mode: 0o700 });
    const entry = await this.pool.take(join(this.dir(rec.Id), `${net.Id}.json`));
    if (!entry) return undefined;
    const pool4 = v4Pool(net)!;
    const subnet = parseCidr(pool4.Subnet);
    Object.assign(ep, {
      NetworkID: net.Id, EndpointID: randomBytes(32).toString('hex'), Gateway: pool4.Gateway ?? '', IPAddress: entry.ip,
      IPPrefixLen: subnet.prefix, MacAddress: entry.mac, DNSNames: null,
    });
    ns.Ports = portsView([], rec.Config.ExposedPorts as Record<string, unknown>);
    this.events.publish('network', 'connect', net.Id, { container: rec.Id, name: net.Name, type: net.Driver });
    return entry.nsPath;
  }

  /** One network on the container's namespace (also used by connect on a running container). */
  async setupEndpoint(rec: ContainerRecord, net: NetworkRecord, key: string, ifname: string, withPorts: boolean): Promise<string[]> {
    const ns = rec.NetworkSettings!;
    const ep = ns.Networks[key];
    const addr = this.pickIp(rec.Id, net, ep);
    const addr6 = pickIp6(net, ep.IPAMConfig?.IPv6Address, this.usedIps6(net));
    ep.IPAddress = addr.ip; // reserved at once: a concurrent start sees it
    ep.GlobalIPv6Address = addr6?.ip ?? '';
    const requests = withPorts ? portRequests(rec.HostConfig.PortBindings as never, !!rec.HostConfig.PublishAllPorts, rec.Config.ExposedPorts as never) : [];
    if (requests.length && net.Driver === 'macvlan') throw invalidArgument(`port publishing is not supported on the macvlan network ${net.Name}`);
    if (!addr6 && requests.some((r) => isIpv6(r.hostIp))) throw invalidArgument(`publishing on an IPv6 host address needs a network with IPv6 (${net.Name} has none)`);
    const ports = requests.length ? await assignHostPorts(requests, this.portsInUse()) : [];
    if (withPorts) ns.Ports = portsView(ports, rec.Config.ExposedPorts as Record<string, unknown>, !!addr6);
    const names = net.Name === 'bridge' || net.Driver === 'macvlan' ? [] : [...new Set([rec.Name.slice(1), ...(ep.Aliases ?? []), rec.Id.slice(0, 12)])];
    const options = netavarkOptions(net, { containerId: rec.Id, containerName: rec.Name.slice(1), interfaceName: ifname, ip: addr.ip, ip6: addr6?.ip, mac: ns.StaticMacs?.[key], names, ports });
    const saved: SavedEndpoint = { nsPath: ns.SandboxKey, networkId: net.Id, key, options };
    await mkdir(this.dir(rec.Id), { recursive: true, mode: 0o700 });
    const file = join(this.dir(rec.Id), `${net.Id}.json`);
    // Before setup, crash-safe: a crash half-way still finds a whole file to tear down from.
    await writeFileAtomic(file, JSON.stringify(saved));
    try {
      const res = await this.runs.setup(net, () => this.netavark!, this.configDir, ns.SandboxKey, options, false);
      if (net.BridgeName) await pinBridgeMac(net.BridgeName);
      Object.assign(ep, {
        NetworkID: net.Id, EndpointID: randomBytes(32).toString('hex'), Gateway: addr.gateway, IPAddress: addr.ip, IPPrefixLen: addr.prefix,
        IPv6Gateway: addr6?.gateway ?? '', GlobalIPv6Address: addr6?.ip ?? '', GlobalIPv6PrefixLen: addr6?.prefix ?? 0,
        MacAddress: res.mac, DNSNames: names.length ? names : null,
      });
      this.events.publish('network', 'connect', net.Id, { container: rec.Id, name: net.Name, type: net.Driver });
      return res.dnsServers;
    } catch (err) {
      ep.IPAddress = '';
      ep.GlobalIPv6Address = '';
      if (withPorts) ns.Ports = {};
      await this.runs.serial(() => netavarkTeardown(this.netavark!, this.configDir, ns.SandboxKey, options)).catch(() => undefined);
      await rm(file, { force: true });
      throw err;
    }
  }

  /** Tears one network off a running container (disconnect). */
  async teardownEndpoint(rec: ContainerRecord, net: NetworkRecord): Promise<void> {
    const file = join(this.dir(rec.Id), `${net.Id}.json`);
    if (!existsSync(file)) return;
    await this.teardownFile(rec.Id, file);
    this.disconnected(rec.Id, net);
    await this.runs.serial(sweepNetavarkChains);
  }

  /**
   * Whether deleting the namespace (its veth goes with it) is the whole teardown of a container's only
   * endpoint: the default bridge, nothing published, no DNS names. netavark's would only re-check the
   * bridge's rules, which the pool's ready namespaces keep in use (the pool's teardown removes them).
   */
  private namespaceIsTheTeardown(saved: SavedEndpoint): boolean {
    const net = Object.values(saved.options.network_info)[0] as { dns_enabled?: boolean } | undefined;
    return !!this.pool && this.pool.readyCount > 0 && saved.nsPath.startsWith(`${NETNS_DIR}/berth-`)
      && !saved.options.port_mappings?.length && net?.dns_enabled === false && saved.key === 'bridge';
  }

  /**
   * netavark's teardown of one saved endpoint; returns the namespace it was in (undefined when the
   * namespace went back to the pool).
   */
  private async teardownFile(containerId: string, file: string, onlyEndpoint = false, recycle = false): Promise<string | undefined> {
    let saved: SavedEndpoint;
    try { saved = JSON.parse(await readFile(file, 'utf8')) as SavedEndpoint; } catch { await rm(file, { force: true }); return undefined; }
    const entry = onlyEndpoint && recycle ? asPoolEntry(saved) : undefined;
    if (entry && existsSync(entry.nsPath) && await this.pool?.giveBack(entry, file)) return undefined;
    if (onlyEndpoint && this.namespaceIsTheTeardown(saved)) {
      await deleteNetnsAt(saved.nsPath);
    } else if (this.netavark && existsSync(saved.nsPath)) {
      const bin = this.netavark;
      // One retry: under load from other daemons a teardown has been seen to leave a network's rules.
      const once = () => this.runs.serial(() => netavarkTeardown(bin, this.configDir, saved.nsPath, saved.options));
      await once().catch(() => new Promise((r) => setTimeout(r, 200)).then(once))
        .catch((err) => log.warn('netavark teardown failed', { id: containerId.slice(0, 12), err: errorMessage(err) }));
      await this.afterTeardown(saved.options);
    }
    await rm(file, { force: true });
    return saved.nsPath;
  }

  private disconnected(containerId: string, net: NetworkRecord): void {
    this.events.publish('network', 'disconnect', net.Id, { container: containerId, name: net.Name, type: net.Driver });
  }

  /**
   * Everything of the last run released: endpoints, namespace, addresses, published ports. The record
   * is cleared at once (inspect, ps and the disconnect events see it), its addresses and ports count as
   * taken until netavark's teardown is done, and the caller waits for that: a `docker rm` that returned
   * has left nothing behind, even when berthd is stopped right after.
   */
  async release(rec: ContainerRecord): Promise<void> {
    const pending = this.releasing.get(rec.Id);
    if (pending) { if (!pending.background) await pending.done; return; } // already being torn down (exit, then the removal)
    const ns = rec.NetworkSettings;
    const access = this.containers();
    const recycle = !!ns?.SandboxKey && recyclable(rec, access.all().filter((r) => r.Id !== rec.Id && access.isRunning(r)));
    const entry: Releasing = {
      done: Promise.resolve(), background: false,
      ips: Object.values(ns?.Networks ?? {}).filter((e) => e.IPAddress).map((e) => ({ networkId: e.NetworkID, ip: e.IPAddress, ip6: e.GlobalIPv6Address || undefined })),
      ports: Object.entries(ns?.Ports ?? {}).flatMap(([key, list]) => (list ?? []).map((b) => ({ host_ip: b.HostIp === '0.0.0.0' ? '' : b.HostIp, host_port: Number(b.HostPort), container_port: Number(key.split('/')[0]), protocol: (key.split('/')[1] ?? 'tcp') as PortMapping['protocol'], range: 1 }))),
    };
    entry.done = this.teardownAll(rec.Id, recycle).finally(() => { if (this.releasing.get(rec.Id) === entry) this.releasing.delete(rec.Id); });
    this.releasing.set(rec.Id, entry);
    const done = entry.done;
    // Default bridge only, nothing published: no name, port or address someone could ask for again at
    // once, so the caller need not wait. Elsewhere (DNS names, ports, fixed addresses) it does.
    const background = entry.background = !!ns && entry.ports.length === 0 && Object.keys(ns.Networks).every((k) => k === 'bridge') && !ns.Networks.bridge?.IPAMConfig?.IPv4Address;
    if (ns) {
      // Docker announces the disconnects when the container stops, before anything else can happen.
      for (const ep of Object.values(ns.Networks)) {
        const net = ep.EndpointID ? this.store.find(ep.NetworkID) : undefined;
        if (net) this.disconnected(rec.Id, net);
      }
      for (const ep of Object.values(ns.Networks)) Object.assign(ep, { EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: '', DNSNames: null });
      ns.Ports = {};
      ns.SandboxKey = '';
      delete ns.SandboxTainted;
    }
    if (!background) await done;
  }

  private async teardownAll(containerId: string, recycle = false): Promise<void> {
    const dir = this.dir(containerId);
    let files: string[] = [];
    try { files = (await readdir(dir)).filter((f) => f.endsWith('.json')); } catch { /* nothing set up */ }
    const published = await anyPublished(dir, files);
    try {
      const namespaces = new Set<string>();
      for (const f of files) {
        const nsPath = await this.teardownFile(containerId, join(dir, f), files.length === 1, recycle);
        if (nsPath) namespaces.add(nsPath);
      }
      await rm(dir, { recursive: true, force: true });
      for (const p of namespaces) await deleteNetnsAt(p); // a pooled namespace is named for the pool, not the container
      // A pooled namespace that did not come back is not coming back: the pool makes up for it now.
      if ([...namespaces].some((p) => p.startsWith(`${NETNS_DIR}/berth-pool-`))) this.pool?.refill();
      await deleteNetns(containerId);
      if (published) await this.runs.serial(sweepNetavarkChains); // only port mappings leave a DNAT chain
    } catch (err) {
      log.warn('network teardown failed', { id: containerId.slice(0, 12), err: errorMessage(err) });
    }
  }

  /** Waits for background teardowns (daemon shutdown, tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.releasing.values()].map((r) => r.done));
  }

  /** After a restart: tears down endpoints whose container is gone or no longer running. */
  async sweepOrphans(isLive: (containerId: string) => boolean): Promise<void> {
    let ids: string[] = [];
    try { ids = await readdir(join(this.stateDir, 'endpoints')); } catch { return; }
    for (const id of ids.filter((i) => !isLive(i) && !this.releasing.has(i))) await this.teardownAll(id);
  }
}
