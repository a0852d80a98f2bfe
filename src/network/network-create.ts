// `docker network create` decoded into a network record, with Docker's rules: any non-empty name, the
// bridge and macvlan drivers (ipvlan is refused: netavark 1.4 has no ipvlan driver and this kernel no
// ipvlan links), one IPv4 and one IPv6 pool, --ip-range, --gateway, --aux-address (kept out of the
// address allocation), --label, and driver options shown back as given. A subnet the user names may
// overlap a host route (Docker only avoids host routes when it picks a subnet itself) but never another
// network's. Docker's own com.docker.network.* options are applied or refused, never dropped.
import { existsSync } from 'node:fs';
import { conflict, forbidden, invalidArgument, notFound } from '../errors.js';
import { allocateSubnet, contains, formatCidr, formatIp, overlaps, parseCidr, parseIp, type Cidr } from '../netavark/ipv4.js';
import { contains6, formatCidr6, formatIp6, isIpv6, overlaps6, parseCidr6, parseIp6, randomUlaSubnet, type Cidr6 } from '../netavark/ipv6.js';
import { blankNetwork } from './network-store.js';
import type { IpamPool, NetworkRecord } from '../model/network.js';

export interface NetworkCreateRequest {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  EnableIPv4?: boolean;
  IPAM?: { Driver?: string; Config?: Array<{ Subnet?: string; Gateway?: string; IPRange?: string; AuxiliaryAddresses?: Record<string, string> }> | null; Options?: Record<string, string> | null };
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** Docker's bridge options Berth applies, with the values it can apply; any other com.docker.network.* is refused. */
const BRIDGE_OPTIONS: Record<string, (v: string) => boolean> = {
  'com.docker.network.bridge.name': () => true,
  'com.docker.network.driver.mtu': (v) => /^\d+$/.test(v) && Number(v) >= 68 && Number(v) <= 65535,
  'com.docker.network.bridge.enable_icc': (v) => v === 'true',
  'com.docker.network.bridge.enable_ip_masquerade': (v) => v === 'true',
  'com.docker.network.bridge.host_binding_ipv4': (v) => v === '0.0.0.0',
  'com.docker.network.enable_ipv6': (v) => v === 'true' || v === 'false',
};

function checkOptions(driver: string, opts: Record<string, string>): void {
  for (const [k, v] of Object.entries(opts)) {
    if (driver === 'macvlan') {
      if (k === 'macvlan_mode' && !['bridge', 'private', 'vepa', 'passthru'].includes(v)) throw invalidArgument(`macvlan mode ${v} is not valid`);
      if (k === 'com.docker.network.driver.mtu' && !BRIDGE_OPTIONS[k](v)) throw invalidArgument(`invalid MTU ${v}`);
      continue;
    }
    if (!k.startsWith('com.docker.network.')) continue; // Docker keeps unknown driver options and shows them back
    const ok = BRIDGE_OPTIONS[k];
    if (!ok) throw invalidArgument(`network option ${k} is not supported by Berth`);
    if (!ok(v)) throw invalidArgument(`network option ${k}=${v} is not supported by Berth`);
  }
}

export interface CreateContext {
  existing: NetworkRecord[];
  /** Host routes and networks, avoided when Berth picks a subnet itself. */
  takenForAuto(): Cidr[];
  defaultAddressPools: Array<{ base: string; size: number }>;
  newId(): string;
}

/** The record for a new network, or Docker's error for the request. */
export function buildNetwork(body: NetworkCreateRequest, ctx: CreateContext): NetworkRecord {
  const name = body.Name ?? '';
  if (!name.trim()) throw invalidArgument('network name must not be empty');
  if (ctx.existing.some((n) => n.Name === name)) throw conflict(`network with name ${name} already exists`);
  const driver = body.Driver || 'bridge';
  if (driver === 'ipvlan') throw invalidArgument('ipvlan networks are not supported by Berth: netavark 1.4 has no ipvlan driver');
  if (driver !== 'bridge' && driver !== 'macvlan') throw notFound(`plugin "${driver}" not found`);
  const opts = { ...(body.Options ?? {}) };
  checkOptions(driver, opts);
  if (body.EnableIPv4 === false) throw invalidArgument('IPv4-less networks (EnableIPv4=false) are not supported by Berth');
  const ipv6 = !!body.EnableIPv6 || opts['com.docker.network.enable_ipv6'] === 'true';

  const pools = body.IPAM?.Config ?? [];
  const v4Wanted = pools.filter((p) => !p.Subnet || !isIpv6(p.Subnet));
  const v6Wanted = pools.filter((p) => p.Subnet && isIpv6(p.Subnet));
  if (v4Wanted.length > 1) throw invalidArgument('Berth supports one IPv4 subnet per network');
  if (v6Wanted.length > 1) throw invalidArgument('Berth supports one IPv6 subnet per network');

  const v4 = ipv4Pool(v4Wanted[0] ?? {}, ctx);
  const v6 = v6Wanted[0] || ipv6 ? ipv6Pool(v6Wanted[0] ?? {}, ctx) : undefined;

  const id = ctx.newId();
  const net = blankNetwork(name, id, driver);
  net.Internal = !!body.Internal;
  net.Attachable = !!body.Attachable;
  net.EnableIPv6 = ipv6;
  net.Options = opts;
  net.Labels = { ...(body.Labels ?? {}) };
  if (driver === 'bridge') {
    net.BridgeName = opts['com.docker.network.bridge.name'] || `br-${id.slice(0, 12)}`;
    if (net.BridgeName.length > 15) throw invalidArgument(`bridge name ${net.BridgeName} is longer than 15 characters`);
  } else {
    const parent = opts.parent;
    if (!parent) throw invalidArgument('macvlan networks need a parent interface: -o parent=<host interface> (Berth makes no dummy parent)');
    if (!/^[\w.-]{1,15}$/.test(parent) || !existsSync(`/sys/class/net/${parent}`)) throw invalidArgument(`-o parent interface was not found on the host: ${parent}`);
  }
  net.IPAM = { Driver: body.IPAM?.Driver || 'default', Options: body.IPAM?.Options ?? {}, Config: v6 ? [v4, v6] : [v4] };
  return net;
}

function auxAddresses(want: IpamPool | Record<string, never>, inSubnet: (ip: string) => boolean): Record<string, string> | undefined {
  const aux = (want as IpamPool).AuxiliaryAddresses;
  if (!aux || !Object.keys(aux).length) return undefined;
  for (const ip of Object.values(aux)) if (!inSubnet(ip)) throw invalidArgument(`no matching subnet for aux-address ${ip}`);
  return { ...aux };
}

function ipv4Pool(want: Partial<IpamPool>, ctx: CreateContext): IpamPool {
  let subnet: Cidr;
  if (want.Subnet) {
    subnet = parseCidr(want.Subnet);
    if (subnet.prefix > 30) throw invalidArgument(`subnet ${want.Subnet} is too small`);
    const others = ctx.existing.flatMap((n) => n.IPAM.Config.filter((c) => !isIpv6(c.Subnet)).map((c) => parseCidr(c.Subnet)));
    if (others.some((t) => overlaps(t, subnet))) throw forbidden('invalid pool request: Pool overlaps with other one on this address space');
  } else {
    if (want.IPRange || want.Gateway) throw invalidArgument('ip-range and gateway need a subnet');
    const picked = allocateSubnet(ctx.defaultAddressPools, ctx.takenForAuto());
    if (!picked) throw forbidden('all predefined address pools have been fully subnetted');
    subnet = picked;
  }
  const gateway = want.Gateway ?? formatIp(subnet.base + 1);
  if (isIpv6(gateway) || !contains(subnet, parseIp(gateway))) throw invalidArgument(`gateway ${gateway} is not in subnet ${formatCidr(subnet)}`);
  if (want.IPRange) {
    const r = parseCidr(want.IPRange);
    if (!contains(subnet, r.base) || r.prefix < subnet.prefix) throw invalidArgument(`ip-range ${want.IPRange} is not in subnet ${formatCidr(subnet)}`);
  }
  const aux = auxAddresses(want as IpamPool, (ip) => !isIpv6(ip) && contains(subnet, parseIp(ip)));
  return { Subnet: formatCidr(subnet), Gateway: gateway, ...(want.IPRange ? { IPRange: want.IPRange } : {}), ...(aux ? { AuxiliaryAddresses: aux } : {}) };
}

function ipv6Pool(want: Partial<IpamPool>, ctx: CreateContext): IpamPool {
  const others: Cidr6[] = ctx.existing.flatMap((n) => n.IPAM.Config.filter((c) => isIpv6(c.Subnet)).map((c) => parseCidr6(c.Subnet)));
  let subnet: Cidr6;
  if (want.Subnet) {
    subnet = parseCidr6(want.Subnet);
    if (subnet.prefix > 124) throw invalidArgument(`subnet ${want.Subnet} is too small`);
    if (others.some((t) => overlaps6(t, subnet))) throw forbidden('invalid pool request: Pool overlaps with other one on this address space');
  } else {
    subnet = randomUlaSubnet(others);
  }
  const gateway = want.Gateway ? formatIp6(parseIp6(want.Gateway)) : formatIp6(subnet.base + 1n);
  if (!contains6(subnet, parseIp6(gateway))) throw invalidArgument(`gateway ${gateway} is not in subnet ${formatCidr6(subnet)}`);
  if (want.IPRange) {
    const r = parseCidr6(want.IPRange);
    if (!contains6(subnet, r.base) || r.prefix < subnet.prefix) throw invalidArgument(`ip-range ${want.IPRange} is not in subnet ${formatCidr6(subnet)}`);
  }
  const aux = auxAddresses(want as IpamPool, (ip) => isIpv6(ip) && contains6(subnet, parseIp6(ip)));
  return { Subnet: formatCidr6(subnet), Gateway: gateway, ...(want.IPRange ? { IPRange: formatCidr6(parseCidr6(want.IPRange)) } : {}), ...(aux ? { AuxiliaryAddresses: aux } : {}) };
}
