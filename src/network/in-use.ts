// What IPAM and port assignment must not hand out again: the addresses and host ports of every
// container's endpoints, of runs still being torn down, and of the namespace pool.
import type { ContainerRecord } from '../model/container.js';
import type { NetworkRecord, PortMapping } from '../model/network.js';
import { markInUse, type PortsInUse } from '../netavark/host-ports.js';
import { parseIp } from '../netavark/ipv4.js';
import { isIpv6 } from '../netavark/ipv6.js';
import { v4Pool } from './ipam6.js';

/** Addresses and host ports a run still holds. */
export interface HeldResources { ips: Array<{ networkId: string; ip: string; ip6?: string }>; ports: PortMapping[] }

/** IPv4 addresses taken on a network. */
export function ipsInUse(net: NetworkRecord, held: HeldResources[], pooled: Iterable<string>, containers: ContainerRecord[]): Set<number> {
  const used = new Set<number>();
  for (const r of held) for (const e of r.ips) if (e.networkId === net.Id) used.add(parseIp(e.ip));
  for (const ip of pooled) used.add(parseIp(ip));
  for (const rec of containers) {
    for (const e of Object.values(rec.NetworkSettings?.Networks ?? {})) if (e.NetworkID === net.Id && e.IPAddress) used.add(parseIp(e.IPAddress));
  }
  for (const a of Object.values(v4Pool(net)?.AuxiliaryAddresses ?? {})) if (!isIpv6(a)) used.add(parseIp(a)); // Docker keeps them out of IPAM
  return used;
}

/** IPv6 addresses taken on a network, as text. */
export function ips6InUse(net: NetworkRecord, held: HeldResources[], containers: ContainerRecord[]): string[] {
  const used: string[] = [];
  for (const r of held) for (const e of r.ips) if (e.networkId === net.Id && e.ip6) used.push(e.ip6);
  for (const rec of containers) {
    for (const e of Object.values(rec.NetworkSettings?.Networks ?? {})) if (e.NetworkID === net.Id && e.GlobalIPv6Address) used.push(e.GlobalIPv6Address);
  }
  return used;
}

/** Host ports published by containers or still held by runs being torn down. */
export function hostPortsInUse(held: HeldResources[], containers: ContainerRecord[]): PortsInUse {
  const inUse: PortsInUse = new Map();
  for (const r of held) markInUse(inUse, r.ports);
  for (const rec of containers) {
    for (const [key, list] of Object.entries(rec.NetworkSettings?.Ports ?? {})) {
      const [p, proto = 'tcp'] = key.split('/');
      markInUse(inUse, (list ?? []).map((b) => ({ host_ip: b.HostIp === '0.0.0.0' ? '' : b.HostIp, host_port: Number(b.HostPort), container_port: Number(p), protocol: proto as PortMapping['protocol'], range: 1 })));
    }
  }
  return inUse;
}
