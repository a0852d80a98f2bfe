// Networks: the predefined bridge/host/none, user-defined bridge networks (create, list, inspect,
// remove, prune, connect, disconnect) and the hooks the container service calls at create, start and
// the end of a run. Host-side plumbing is netavark's (see endpoints.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { conflict, forbidden, invalidArgument, notFound } from '../errors.js';
import type { ContainerRecord, HostConfig } from '../model/container.js';
import type { EventBus } from '../model/events.js';
import { newId } from '../util/ids.js';
import { Endpoints, type ContainerAccess } from './endpoints.js';
import { buildNetwork, type NetworkCreateRequest } from './network-create.js';
import { formatCidr, parseCidr, type Cidr } from '../netavark/ipv4.js';
import { findNetavark } from '../netavark/netavark.js';
import { blankNetwork, NetworkStore } from './network-store.js';
import { blankEndpoint } from './network-views.js';
import { PREDEFINED, type ContainerNetworkSettings, type EndpointSettings, type NetworkRecord } from '../model/network.js';

export type { NetworkCreateRequest } from './network-create.js';

export interface EndpointConfig { Aliases?: string[] | null; Links?: string[] | null; IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null; MacAddress?: string }

/** Networks whose containers get an endpoint of their own (netavark's bridge and macvlan drivers). */
export function hasEndpoints(net: NetworkRecord): boolean {
  return net.Driver === 'bridge' || net.Driver === 'macvlan';
}


/** What the network service needs from the daemon's configuration (built in src/daemon/wiring.ts). */
export interface NetworkServiceOptions {
  dataRoot: string;
  execRoot: string;
  /** Host bridge and gateway/prefix of the default `bridge` network. */
  bridgeName: string;
  bip: string;
  /** Pools user-defined networks take their subnets from. */
  defaultAddressPools: Array<{ base: string; size: number }>;
  /**
   * Ready namespaces kept on the default bridge (netavark/netns-pool.ts); 0: none. Four cover a `run --rm`
   * loop and a burst of a few clients while the next ones are made.
   */
  netnsPool?: number;
  /** netavark set-ups on the default bridge run at once under the shared host lock (1: one at a time). */
  netavarkParallel?: number;
}

export class NetworkService {
  readonly store: NetworkStore;
  readonly endpoints: Endpoints;

  constructor(private readonly config: NetworkServiceOptions, private readonly events: EventBus, private readonly containers: () => ContainerAccess) {
    this.store = new NetworkStore(join(config.dataRoot, 'network', 'networks'));
    this.endpoints = new Endpoints(this.store, containers, events, findNetavark(), join(config.execRoot, 'network'), config.netavarkParallel ?? 1);
  }

  /** Loads networks and makes sure the predefined ones exist (the default bridge as configured). */
  init(): void {
    this.store.load();
    mkdirSync(this.endpoints.configDir, { recursive: true, mode: 0o700 });
    for (const name of PREDEFINED) {
      const existing = this.store.byName(name);
      const net = existing ?? blankNetwork(name, newId(), name === 'none' ? 'null' : name);
      if (name === 'bridge') this.configureDefaultBridge(net);
      if (!existing || name === 'bridge') this.store.save(net);
    }
  }

  private configureDefaultBridge(net: NetworkRecord): void {
    const bip = parseCidr(this.config.bip);
    const gateway = this.config.bip.split('/')[0];
    net.IPAM = { Driver: 'default', Options: null, Config: [{ Subnet: formatCidr(bip), Gateway: gateway }] };
    net.BridgeName = this.config.bridgeName;
    net.Options = {
      'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      'com.docker.network.bridge.name': this.config.bridgeName, 'com.docker.network.driver.mtu': '1500',
    };
  }

  get(ref: string): NetworkRecord { return this.store.get(ref); }

  /** Subnets in use: Berth's networks and the host's routes. */
  private takenSubnets(): Cidr[] {
    const taken = this.store.all().flatMap((n) => n.IPAM.Config.filter((c) => !c.Subnet.includes(':')).map((c) => parseCidr(c.Subnet)));
    try {
      const routes = JSON.parse(execFileSync('ip', ['-j', '-4', 'route'], { encoding: 'utf8' })) as Array<{ dst?: string }>;
      for (const r of routes) if (r.dst && r.dst !== 'default') taken.push(parseCidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`));
    } catch { /* no ip -j: Berth's own networks still count */ }
    return taken;
  }

  async create(body: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    const net = buildNetwork(body, {
      existing: this.store.all(), takenForAuto: () => this.takenSubnets(), defaultAddressPools: this.config.defaultAddressPools, newId,
    });
    this.store.save(net);
    this.events.publish('network', 'create', net.Id, { name: net.Name, type: net.Driver });
    return { Id: net.Id, Warning: '' };
  }

  private usersOf(net: NetworkRecord): ContainerRecord[] {
    return this.containers().all().filter((r) => Object.values(r.NetworkSettings?.Networks ?? {}).some((e) => e.NetworkID === net.Id) || r.HostConfig.NetworkMode === net.Name);
  }

  async remove(ref: string): Promise<void> {
    const net = this.get(ref);
    if ((PREDEFINED as readonly string[]).includes(net.Name)) throw forbidden(`${net.Name} is a pre-defined network and cannot be removed`);
    const active = this.usersOf(net).filter((r) => this.containers().isRunning(r));
    if (active.length) {
      const r = active[0];
      throw conflict(`error while removing network: network ${net.Name} has active endpoints (name:"${r.Name.slice(1)}" id:"${r.Id.slice(0, 12)}")`);
    }
    this.store.remove(net);
    this.events.publish('network', 'destroy', net.Id, { name: net.Name, type: net.Driver });
  }

  async prune(keep: (net: NetworkRecord) => boolean): Promise<{ NetworksDeleted: string[] }> {
    const deleted: string[] = [];
    for (const net of this.store.all()) {
      if ((PREDEFINED as readonly string[]).includes(net.Name) || !keep(net) || this.usersOf(net).length) continue;
      this.store.remove(net);
      this.events.publish('network', 'destroy', net.Id, { name: net.Name, type: net.Driver });
      deleted.push(net.Name);
    }
    this.events.publish('network', 'prune', '', {});
    return { NetworksDeleted: deleted };
  }

  // ---- container hooks ----

  /** Checks the network mode at create and records the endpoints the container will have. */
  createSettings(hc: HostConfig, networking: { EndpointsConfig?: Record<string, EndpointConfig | null> } | undefined, macAddress?: string): ContainerNetworkSettings {
    const mode = hc.NetworkMode ?? 'bridge';
    const endpoints = networking?.EndpointsConfig ?? {};
    const settings: ContainerNetworkSettings = { Networks: {}, Ports: {}, SandboxKey: '' };
    if (mode.startsWith('container:')) {
      this.containers().resolve(mode.slice('container:'.length));
      if (Object.keys(hc.PortBindings ?? {}).length) throw invalidArgument('conflicting options: port publishing and the container type network mode');
      return settings;
    }
    const net = this.store.find(mode);
    if (!net) throw notFound(`network ${mode} not found`);
    const cfg = endpoints[mode] ?? endpoints[net.Name] ?? endpoints[net.Id] ?? (net.Name === 'bridge' ? endpoints.default : undefined) ?? {};
    if (!hasEndpoints(net)) {
      if (Object.keys(hc.PortBindings ?? {}).length && net.Name === 'host') { /* Docker ignores -p with host networking (warning) */ }
      settings.Networks[net.Name] = blankEndpoint({ NetworkID: net.Id });
      return settings;
    }
    const isDefault = net.Name === 'bridge';
    if (isDefault && cfg.Aliases?.length) throw invalidArgument('network-scoped alias is supported only for containers in user defined networks');
    if (isDefault && (cfg.IPAMConfig?.IPv4Address || cfg.IPAMConfig?.IPv6Address)) throw invalidArgument('user specified IP address is supported on user defined networks only');
    if (cfg.IPAMConfig?.IPv6Address && !net.EnableIPv6) throw invalidArgument(`user specified IPv6 address ${cfg.IPAMConfig.IPv6Address} on a network without IPv6 (${net.Name})`);
    // Links on a user-defined network are aliases only the container resolves (engine/containers/links.ts).
    settings.Networks[net.Name] = blankEndpoint({ NetworkID: net.Id, Aliases: cfg.Aliases?.length ? cfg.Aliases : null, IPAMConfig: cfg.IPAMConfig ?? null, Links: !isDefault && cfg.Links?.length ? cfg.Links : null });
    const mac = cfg.MacAddress || macAddress;
    if (mac) settings.StaticMacs = { [net.Name]: mac };
    // API ≥ 1.44 clients (docker run --network a --network b) name further networks in EndpointsConfig.
    for (const [ref, extra] of Object.entries(endpoints)) {
      const other = this.store.find(ref === 'default' ? 'bridge' : ref);
      if (!other) throw notFound(`network ${ref} not found`);
      if (other.Id === net.Id || settings.Networks[other.Name]) continue;
      if (!hasEndpoints(other)) throw invalidArgument(`container cannot be connected to network endpoints: ${net.Name}, ${other.Name}`);
      settings.Networks[other.Name] = blankEndpoint({ NetworkID: other.Id, Aliases: extra?.Aliases?.length ? extra.Aliases : null, IPAMConfig: extra?.IPAMConfig ?? null, Links: other.Name !== 'bridge' && extra?.Links?.length ? extra.Links : null });
      if (extra?.MacAddress) settings.StaticMacs = { ...(settings.StaticMacs ?? {}), [other.Name]: extra.MacAddress };
    }
    return settings;
  }

  /**
   * The namespace the container's process joins: a prepared one, another container's, or none (host/new).
   * `makeNamespace` creates the namespace file at the path given instead of `ip netns add` (a container in
   * a user namespace needs one its user namespace owns); the pool is not used then.
   */
  async attach(rec: ContainerRecord, makeNamespace?: (path: string) => Promise<void>, linkHosts: string[] = []): Promise<string | undefined> {
    const mode = rec.HostConfig.NetworkMode ?? 'bridge';
    if (mode === 'host' || mode === 'none') return undefined;
    if (mode.startsWith('container:')) {
      const other = this.containers().resolve(mode.slice('container:'.length));
      if (!this.containers().isRunning(other)) throw conflict(`cannot join network of a non running container: ${other.Id}`);
      return other.NetworkSettings?.SandboxKey || `/proc/${other.State.Pid}/ns/net`;
    }
    rec.NetworkSettings ??= this.createSettings(rec.HostConfig, undefined);
    return this.endpoints.attach(rec, makeNamespace, linkHosts);
  }

  /** A running container's /etc/hosts again, with these link lines (its links or their addresses changed). */
  async rewriteHosts(rec: ContainerRecord, linkHosts: string[]): Promise<void> {
    if (rec.NetworkSettings?.SandboxKey) await this.endpoints.writeHosts(rec, linkHosts);
  }

  async release(rec: ContainerRecord): Promise<void> {
    await this.endpoints.release(rec);
  }

  /** After the containers are recovered: endpoints left by containers that are gone or stopped go. */
  async recover(): Promise<void> {
    const c = this.containers();
    await this.endpoints.sweepOrphans((id) => c.all().some((r) => r.Id === id && c.isRunning(r)));
    const bridge = this.store.byName('bridge');
    if (bridge) await this.endpoints.startPool(bridge, this.config.netnsPool ?? 4);
  }

  /** berthd is stopping: the pool's namespaces and pending teardowns are done with before it exits. */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    await this.endpoints.shutdown(timeoutMs);
  }

  /** Changes the record through containers.update (under its lock, never interleaved with a start, exit or rm; saved once). */
  async connect(ref: string, containerRef: string, cfg: EndpointConfig = {}): Promise<void> {
    const net = this.get(ref);
    const found = this.containers().resolve(containerRef);
    await this.containers().update(found.Id, async (rec) => {
      const mode = rec.HostConfig.NetworkMode ?? 'bridge';
      if (!hasEndpoints(net)) throw forbidden(`container cannot be disconnected from host network or connected to host network`);
      if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) throw forbidden('container sharing network namespace with another container or host cannot be connected to any other network');
      const ns = rec.NetworkSettings ??= this.createSettings(rec.HostConfig, undefined);
      const onIt = Object.entries(ns.Networks).find(([, e]) => e.NetworkID === net.Id);
      if (onIt && this.containers().isRunning(rec)) throw forbidden(`endpoint with name ${rec.Name.slice(1)} already exists in network ${net.Name}`);
      // A container that is not running only has settings: dockerd replaces them (200), as here.
      if (onIt) delete ns.Networks[onIt[0]];
      if (net.Name === 'bridge' && cfg.Aliases?.length) throw invalidArgument('network-scoped alias is supported only for containers in user defined networks');
      ns.Networks[net.Name] = blankEndpoint({
        NetworkID: net.Id, Aliases: cfg.Aliases?.length ? cfg.Aliases : null, IPAMConfig: cfg.IPAMConfig?.IPv4Address || cfg.IPAMConfig?.IPv6Address ? cfg.IPAMConfig : null,
        Links: net.Name !== 'bridge' && cfg.Links?.length ? cfg.Links : null, // aliases the container resolves, from its next start
      });
      if (cfg.MacAddress) ns.StaticMacs = { ...(ns.StaticMacs ?? {}), [net.Name]: cfg.MacAddress };
      if (this.containers().isRunning(rec) && ns.SandboxKey) {
        try {
          await this.endpoints.setupEndpoint(rec, net, net.Name, `eth${Object.keys(ns.Networks).length - 1}`, false);
        } catch (err) {
          delete ns.Networks[net.Name];
          throw err;
        }
      }
    });
  }

  async disconnect(ref: string, containerRef: string): Promise<void> {
    const net = this.get(ref);
    const found = this.containers().resolve(containerRef);
    await this.containers().update(found.Id, async (rec) => {
      const ns = rec.NetworkSettings;
      const key = Object.entries(ns?.Networks ?? {}).find(([, e]) => e.NetworkID === net.Id)?.[0];
      if (!ns || !key) throw forbidden(`container ${rec.Id} is not connected to network ${net.Name}`);
      if (!hasEndpoints(net)) throw forbidden('container cannot be disconnected from host network or connected to host network');
      if (this.containers().isRunning(rec)) await this.endpoints.teardownEndpoint(rec, net);
      delete ns.Networks[key];
    });
  }

  /** The endpoint a container has on a network (for tests and views). */
  endpointOf(rec: ContainerRecord, net: NetworkRecord): EndpointSettings | undefined {
    return Object.values(rec.NetworkSettings?.Networks ?? {}).find((e) => e.NetworkID === net.Id);
  }
}
