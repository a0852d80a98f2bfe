// A container's side of networking: at start a named namespace, one netavark endpoint per network
// (addresses from Berth's IPAM, published ports on the first), /etc/hosts and resolv.conf; at exit or
// removal all of it torn down. Endpoint options are kept under the exec root, so a restarted berthd
// tears down exactly what was set up.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict, errorMessage, invalidArgument } from '../errors.js';
import type { ContainerRecord } from '../model/container.js';
import type { EventBus } from '../model/events.js';
import { log } from '../util/log.js';
import { writeNetworkEtcFiles } from './etc-files.js';
import { sweepNetavarkChains } from '../netavark/firewall-sweep.js';
import { assignHostPorts, markInUse, type PortsInUse } from '../netavark/host-ports.js';
import { allocateIp, contains, formatIp, parseCidr, parseIp, size } from '../netavark/ipv4.js';
import { netavarkOptions, netavarkSetup, netavarkTeardown, type NetavarkOptions } from '../netavark/netavark.js';
import { createNetns, deleteNetns } from '../netavark/netns.js';
import type { NetworkStore } from './network-store.js';
import { portRequests, portsView } from './ports.js';
import type { EndpointSettings, NetworkRecord, PortMapping } from '../model/network.js';

export interface ContainerAccess {
  all(): ContainerRecord[];
  resolve(ref: string): ContainerRecord;
  isRunning(rec: ContainerRecord): boolean;
  save(rec: ContainerRecord): Promise<void>;
  etcPaths(id: string): { hosts: string; resolvConf: string };
}

interface SavedEndpoint { nsPath: string; networkId: string; key: string; options: NetavarkOptions }

/** Addresses and host ports of a run being torn down: still taken until netavark is done. */
interface Releasing { done: Promise<void>; ips: Array<{ networkId: string; ip: string }>; ports: PortMapping[] }

export class Endpoints {
  private readonly releasing = new Map<string, Releasing>();
  /** netavark runs one at a time: concurrent runs race on the shared firewall chains. */
  private netavarkQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: NetworkStore,
    private readonly containers: () => ContainerAccess,
    private readonly events: EventBus,
    private readonly netavark: string | undefined,
    private readonly stateDir: string,
  ) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.netavarkQueue.catch(() => undefined).then(fn);
    this.netavarkQueue = next;
    return next;
  }

  get configDir(): string { return join(this.stateDir, 'netavark'); }
  private dir(containerId: string): string { return join(this.stateDir, 'endpoints', containerId); }

  /** Addresses taken on a network: every active endpoint of every container. */
  private usedIps(net: NetworkRecord): Set<number> {
    const used = new Set<number>();
    for (const r of this.releasing.values()) for (const e of r.ips) if (e.networkId === net.Id) used.add(parseIp(e.ip));
    for (const rec of this.containers().all()) {
      for (const e of Object.values(rec.NetworkSettings?.Networks ?? {})) if (e.NetworkID === net.Id && e.IPAddress) used.add(parseIp(e.IPAddress));
    }
    return used;
  }

  private portsInUse(): PortsInUse {
    const inUse: PortsInUse = new Map();
    for (const r of this.releasing.values()) markInUse(inUse, r.ports);
    for (const rec of this.containers().all()) {
      for (const [key, list] of Object.entries(rec.NetworkSettings?.Ports ?? {})) {
        const [p, proto = 'tcp'] = key.split('/');
        markInUse(inUse, (list ?? []).map((b) => ({ host_ip: b.HostIp === '0.0.0.0' ? '' : b.HostIp, host_port: Number(b.HostPort), container_port: Number(p), protocol: proto as PortMapping['protocol'], range: 1 })));
      }
    }
    return inUse;
  }

  private pickIp(rec: ContainerRecord, net: NetworkRecord, ep: EndpointSettings): { ip: string; prefix: number; gateway: string } {
    const pool = net.IPAM.Config[0];
    if (!pool?.Subnet || !pool.Gateway) throw invalidArgument(`network ${net.Name} has no IPv4 subnet`);
    const subnet = parseCidr(pool.Subnet);
    const gateway = parseIp(pool.Gateway);
    const used = this.usedIps(net);
    const wanted = ep.IPAMConfig?.IPv4Address;
    if (wanted) {
      const ip = parseIp(wanted);
      if (!contains(subnet, ip)) throw invalidArgument(`no configured subnet or ip-range contain the IP address ${wanted}`);
      if (used.has(ip) || ip === gateway) throw conflict(`Address already in use`);
      return { ip: wanted, prefix: subnet.prefix, gateway: pool.Gateway };
    }
    const range = pool.IPRange ? parseCidr(pool.IPRange) : undefined;
    // Daemons sharing the default bridge (tests, side-by-side roots) start at different places.
    const offset = net.Name === 'bridge' ? parseInt(rec.Id.slice(0, 8), 16) % Math.max(1, size(range ?? subnet) - 2) : 0;
    let ip = allocateIp(subnet, gateway, used, range, offset);
    if (ip === undefined) throw conflict(`no available IPv4 addresses on this network's address pools: ${net.Name} (${net.Id})`);
    return { ip: formatIp(ip), prefix: subnet.prefix, gateway: pool.Gateway };
  }

  /** Sets up every network of a bridge-mode container in a new namespace; returns its path. */
  async attach(rec: ContainerRecord): Promise<string | undefined> {
    const ns = rec.NetworkSettings;
    if (!ns || !this.netavark) {
      if (!this.netavark) log.warn('netavark not found: container gets an unconnected network namespace', { id: rec.Id.slice(0, 12) });
      return undefined;
    }
    await this.releasing.get(rec.Id)?.done; // the previous run's teardown first
    const nsPath = await createNetns(rec.Id);
    ns.SandboxKey = nsPath;
    try {
      let dns: string[] = [];
      let first: EndpointSettings | undefined;
      let i = 0;
      for (const [key, ep] of Object.entries(ns.Networks)) {
        const net = this.store.get(ep.NetworkID || key);
        const servers = await this.setupEndpoint(rec, net, key, `eth${i}`, i === 0);
        if (i === 0) { dns = servers; first = ep; }
        i++;
      }
      const hc = rec.HostConfig;
      const extraHosts = ((hc.ExtraHosts as string[] | null) ?? []).map((h) => h.replace(/:host-gateway$/, `:${first?.Gateway ?? ''}`));
      await writeNetworkEtcFiles(this.containers().etcPaths(rec.Id), {
        hostname: String(rec.Config.Hostname ?? rec.Id.slice(0, 12)), ip: first?.IPAddress ?? '', extraHosts, networkDns: dns,
        dns: { servers: hc.Dns as string[] | null, search: hc.DnsSearch as string[] | null, options: hc.DnsOptions as string[] | null },
      });
    } catch (err) {
      await this.release(rec);
      throw err;
    }
    return nsPath;
  }

  /** One network on the container's namespace (also used by connect on a running container). */
  async setupEndpoint(rec: ContainerRecord, net: NetworkRecord, key: string, ifname: string, withPorts: boolean): Promise<string[]> {
    const ns = rec.NetworkSettings!;
    const ep = ns.Networks[key];
    const addr = this.pickIp(rec, net, ep);
    ep.IPAddress = addr.ip; // reserved at once: a concurrent start sees it
    const ports = withPorts ? await assignHostPorts(portRequests(rec.HostConfig.PortBindings as never, !!rec.HostConfig.PublishAllPorts, rec.Config.ExposedPorts as never), this.portsInUse()) : [];
    if (withPorts) ns.Ports = portsView(ports, rec.Config.ExposedPorts as Record<string, unknown>);
    const names = net.Name === 'bridge' ? [] : [...new Set([rec.Name.slice(1), ...(ep.Aliases ?? []), rec.Id.slice(0, 12)])];
    const options = netavarkOptions(net, { containerId: rec.Id, containerName: rec.Name.slice(1), interfaceName: ifname, ip: addr.ip, mac: ns.StaticMacs?.[key], names, ports });
    const saved: SavedEndpoint = { nsPath: ns.SandboxKey, networkId: net.Id, key, options };
    await mkdir(this.dir(rec.Id), { recursive: true, mode: 0o700 });
    const file = join(this.dir(rec.Id), `${net.Id}.json`);
    await writeFile(file, JSON.stringify(saved), { mode: 0o600 }); // before setup: a crash half-way is still torn down
    try {
      const res = await this.serial(() => netavarkSetup(this.netavark!, this.configDir, ns.SandboxKey, options));
      Object.assign(ep, {
        NetworkID: net.Id, EndpointID: randomBytes(32).toString('hex'), Gateway: addr.gateway, IPAddress: addr.ip, IPPrefixLen: addr.prefix,
        MacAddress: res.mac, DNSNames: names.length ? names : null,
      });
      this.events.publish('network', 'connect', net.Id, { container: rec.Id, name: net.Name, type: net.Driver });
      return res.dnsServers;
    } catch (err) {
      ep.IPAddress = '';
      if (withPorts) ns.Ports = {};
      await this.serial(() => netavarkTeardown(this.netavark!, this.configDir, ns.SandboxKey, options)).catch(() => undefined);
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
    await this.serial(sweepNetavarkChains);
  }

  private async teardownFile(containerId: string, file: string): Promise<void> {
    let saved: SavedEndpoint;
    try { saved = JSON.parse(await readFile(file, 'utf8')) as SavedEndpoint; } catch { await rm(file, { force: true }); return; }
    if (this.netavark && existsSync(saved.nsPath)) {
      const bin = this.netavark;
      await this.serial(() => netavarkTeardown(bin, this.configDir, saved.nsPath, saved.options))
        .catch((err) => log.warn('netavark teardown failed', { id: containerId.slice(0, 12), err: errorMessage(err) }));
    }
    await rm(file, { force: true });
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
    if (pending) { await pending.done; return; } // already being torn down (exit, then --rm's removal)
    const ns = rec.NetworkSettings;
    const entry: Releasing = {
      done: Promise.resolve(),
      ips: Object.values(ns?.Networks ?? {}).filter((e) => e.IPAddress).map((e) => ({ networkId: e.NetworkID, ip: e.IPAddress })),
      ports: Object.entries(ns?.Ports ?? {}).flatMap(([key, list]) => (list ?? []).map((b) => ({ host_ip: b.HostIp === '0.0.0.0' ? '' : b.HostIp, host_port: Number(b.HostPort), container_port: Number(key.split('/')[0]), protocol: (key.split('/')[1] ?? 'tcp') as PortMapping['protocol'], range: 1 }))),
    };
    entry.done = this.teardownAll(rec.Id).finally(() => { if (this.releasing.get(rec.Id) === entry) this.releasing.delete(rec.Id); });
    this.releasing.set(rec.Id, entry);
    const done = entry.done;
    if (ns) {
      // Docker announces the disconnects when the container stops, before anything else can happen.
      for (const ep of Object.values(ns.Networks)) {
        const net = ep.EndpointID ? this.store.find(ep.NetworkID) : undefined;
        if (net) this.disconnected(rec.Id, net);
      }
      for (const ep of Object.values(ns.Networks)) Object.assign(ep, { EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '', DNSNames: null });
      ns.Ports = {};
      ns.SandboxKey = '';
    }
    await done;
  }

  private async teardownAll(containerId: string): Promise<void> {
    const dir = this.dir(containerId);
    let files: string[] = [];
    try { files = (await readdir(dir)).filter((f) => f.endsWith('.json')); } catch { /* nothing set up */ }
    try {
      for (const f of files) await this.teardownFile(containerId, join(dir, f));
      await rm(dir, { recursive: true, force: true });
      await deleteNetns(containerId);
      if (files.length) await this.serial(sweepNetavarkChains);
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
