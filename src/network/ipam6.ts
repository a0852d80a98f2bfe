// The IPv6 half of an endpoint's addresses on a dual-stack network: --ip6 checked against the subnet, or
// the next free address; the network's aux addresses and gateway are never handed out.
import { conflict, invalidArgument } from '../errors.js';
import { allocateIp6, contains6, formatIp6, isIpv6, parseCidr6, parseIp6 } from '../netavark/ipv6.js';
import type { IpamPool, NetworkRecord } from '../model/network.js';

export function v4Pool(net: NetworkRecord): IpamPool | undefined {
  return net.IPAM.Config.find((c) => c.Subnet && !isIpv6(c.Subnet));
}

export function v6Pool(net: NetworkRecord): IpamPool | undefined {
  return net.EnableIPv6 ? net.IPAM.Config.find((c) => c.Subnet && isIpv6(c.Subnet)) : undefined;
}

export interface Picked6 { ip: string; prefix: number; gateway: string }

/** An IPv6 address for an endpoint, avoiding `usedTexts` (addresses as text); undefined on an IPv4-only network. */
export function pickIp6(net: NetworkRecord, wanted: string | undefined, usedTexts: string[]): Picked6 | undefined {
  const pool = v6Pool(net);
  if (!pool) return undefined;
  const subnet = parseCidr6(pool.Subnet);
  const gateway = pool.Gateway ? parseIp6(pool.Gateway) : subnet.base + 1n;
  const used = new Set<bigint>(usedTexts.map(parseIp6));
  for (const a of Object.values(pool.AuxiliaryAddresses ?? {})) if (isIpv6(a)) used.add(parseIp6(a));
  const gw = formatIp6(gateway);
  if (wanted) {
    const ip = parseIp6(wanted);
    if (!contains6(subnet, ip)) throw invalidArgument(`no configured subnet or ip-range contain the IP address ${wanted}`);
    if (used.has(ip) || ip === gateway) throw conflict('Address already in use');
    return { ip: formatIp6(ip), prefix: subnet.prefix, gateway: gw };
  }
  const ip = allocateIp6(subnet, gateway, used, pool.IPRange ? parseCidr6(pool.IPRange) : undefined);
  if (ip === undefined) throw conflict(`no available IPv6 addresses on this network's address pools: ${net.Name} (${net.Id})`);
  return { ip: formatIp6(ip), prefix: subnet.prefix, gateway: gw };
}
