// IPv4 arithmetic for IPAM: parsing CIDRs, picking free subnets from address pools, and free addresses
// within a subnet. Pure and unit-tested.
import { invalidArgument } from '../errors.js';

export interface Cidr { base: number; prefix: number }

export function parseIp(s: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) throw invalidArgument(`invalid IP address: ${s}`);
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) throw invalidArgument(`invalid IP address: ${s}`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `10.1.2.3/16` → base 10.1.0.0, prefix 16 (the host bits are dropped, as Docker does for --subnet). */
export function parseCidr(s: string): Cidr {
  const [ip, p] = s.split('/');
  const prefix = Number(p);
  if (p === undefined || !/^\d+$/.test(p) || prefix > 32) throw invalidArgument(`invalid CIDR address: ${s}`);
  return { base: (parseIp(ip) & maskOf(prefix)) >>> 0, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function contains(c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & maskOf(p)) >>> 0) === ((b.base & maskOf(p)) >>> 0);
}

/** The first free subnet of `size` bits carved out of each pool in turn, avoiding `taken`. */
export function allocateSubnet(pools: Array<{ base: string; size: number }>, taken: Cidr[]): Cidr | undefined {
  for (const pool of pools) {
    const p = parseCidr(pool.base);
    if (pool.size < p.prefix || pool.size > 30) continue;
    const count = 2 ** (pool.size - p.prefix);
    for (let i = 0; i < count && i < 65536; i++) {
      const candidate = { base: (p.base + i * 2 ** (32 - pool.size)) >>> 0, prefix: pool.size };
      if (!taken.some((t) => overlaps(t, candidate))) return candidate;
    }
  }
  return undefined;
}

/**
 * A free host address of `range` (or the subnet), skipping the network and broadcast addresses, the
 * gateway and every address in `used`; the search starts `offset` addresses in and wraps around.
 */
export function allocateIp(subnet: Cidr, gateway: number, used: Set<number>, range?: Cidr, offset = 0): number | undefined {
  const r = range ?? subnet;
  const first = Math.max(r.base, subnet.base + 1);
  const last = Math.min(r.base + size(r) - 1, subnet.base + size(subnet) - 2);
  const count = last - first + 1;
  for (let i = 0; i < count; i++) {
    const ip = first + ((offset + i) % count);
    if (ip !== gateway && !used.has(ip)) return ip;
  }
  return undefined;
}
