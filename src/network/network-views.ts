// Docker's API shapes around networks: the Network resource (GET /networks, /networks/{id}) and a
// container's NetworkSettings (inspect) and Networks (ps).
import type { ContainerRecord } from '../model/container.js';
import type { EndpointSettings, NetworkRecord } from '../model/network.js';

export function blankEndpoint(init: Partial<EndpointSettings> = {}): EndpointSettings {
  return {
    IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: '',
    EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0, DNSNames: null, ...init,
  };
}

/** Only Docker's fields, in Docker's order (the record may carry Berth's own). */
export function endpointView(e: EndpointSettings): EndpointSettings {
  return blankEndpoint({
    IPAMConfig: e.IPAMConfig, Links: e.Links, Aliases: e.Aliases, MacAddress: e.MacAddress, DriverOpts: e.DriverOpts,
    GwPriority: e.GwPriority, NetworkID: e.NetworkID, EndpointID: e.EndpointID, Gateway: e.Gateway, IPAddress: e.IPAddress,
    IPPrefixLen: e.IPPrefixLen, IPv6Gateway: e.IPv6Gateway ?? '', GlobalIPv6Address: e.GlobalIPv6Address ?? '',
    GlobalIPv6PrefixLen: e.GlobalIPv6PrefixLen ?? 0, DNSNames: e.DNSNames,
  });
}

export function containerNetworks(rec: ContainerRecord): Record<string, EndpointSettings> {
  const ns = rec.NetworkSettings;
  if (!ns) return { [rec.HostConfig.NetworkMode ?? 'bridge']: blankEndpoint() };
  return Object.fromEntries(Object.entries(ns.Networks).map(([k, e]) => [k, endpointView(e)]));
}

/** ContainerInspectResponse.NetworkSettings; the top-level address fields describe the default bridge. */
export function networkSettingsView(rec: ContainerRecord): Record<string, unknown> {
  const ns = rec.NetworkSettings;
  const networks = containerNetworks(rec);
  const main = networks.bridge;
  return {
    Bridge: '', SandboxID: ns?.SandboxKey ? rec.Id : '', SandboxKey: ns?.SandboxKey ?? '', Ports: ns?.Ports ?? {},
    HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
    EndpointID: main?.EndpointID ?? '', Gateway: main?.Gateway ?? '', GlobalIPv6Address: main?.GlobalIPv6Address ?? '', GlobalIPv6PrefixLen: main?.GlobalIPv6PrefixLen ?? 0,
    IPAddress: main?.IPAddress ?? '', IPPrefixLen: main?.IPPrefixLen ?? 0, IPv6Gateway: main?.IPv6Gateway ?? '', MacAddress: main?.MacAddress ?? '',
    Networks: networks,
  };
}

export interface NetworkContainerView { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }

/** Containers with an active endpoint on the network, as Docker's Network.Containers. */
export function attachedContainers(net: NetworkRecord, recs: ContainerRecord[]): Record<string, NetworkContainerView> {
  const out: Record<string, NetworkContainerView> = {};
  for (const rec of recs) {
    const ns = rec.NetworkSettings;
    const ep = Object.values(ns?.Networks ?? {}).find((e) => e.NetworkID === net.Id && e.EndpointID);
    if (!ep) continue;
    out[rec.Id] = { Name: rec.Name.slice(1), EndpointID: ep.EndpointID, MacAddress: ep.MacAddress, IPv4Address: ep.IPAddress ? `${ep.IPAddress}/${ep.IPPrefixLen}` : '', IPv6Address: ep.GlobalIPv6Address ? `${ep.GlobalIPv6Address}/${ep.GlobalIPv6PrefixLen}` : '' };
  }
  return out;
}

export function networkView(net: NetworkRecord, recs: ContainerRecord[], withContainers: boolean): Record<string, unknown> {
  const { BridgeName: _b, ...docker } = net;
  return { ...docker, Containers: withContainers ? attachedContainers(net, recs) : {} };
}
