// IPv6 arithmetic for IPAM, on BigInt: parsing and formatting (RFC 5952 shortest form, as Docker shows
// addresses), CIDRs, overlap, free addresses in a subnet, and a random unique-local /64 for a network
// created with --ipv6 and no subnet. Pure and unit-tested.
import { randomBytes } from 'node:crypto';
import { invalidArgument } from '../errors.js';

export interface Cidr6 { base: bigint; prefix: number }

const ALL = (1n << 128n) - 1n;

export function isIpv6(s: string): boolean {
  return s.includes(':');
}

export function parseIp6(s: string): bigint {
  const text = s.trim().replace(/^\[|\]$/g, '');
  const bad = () => invalidArgument(`invalid IP address: ${s}`);
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) throw bad();
  let head = text;
  let tail: number[] = [];
  // A trailing dotted quad (::ffff:1.2.3.4) is two groups.
  const quad = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const parts = quad[1].split('.').map(Number);
    if (parts.some((p) => p > 255)) throw bad();
    tail = [(parts[0] << 8) | parts[1], (parts[2] << 8) | parts[3]];
    head = text.slice(0, text.length - quad[1].length).replace(/:$/, text.endsWith('::' + quad[1]) ? ':' : '');
  }
  const groupsOf = (t: string) => (t === '' ? [] : t.split(':').map((g) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
    return parseInt(g, 16);
  }));
  let groups: number[];
  if (head.includes('::')) {
    const [l, r] = head.split('::');
    const left = groupsOf(l);
    const right = [...groupsOf(r), ...tail];
    const fill = 8 - left.length - right.length;
    if (fill < 1) throw bad();
    groups = [...left, ...new Array<number>(fill).fill(0), ...right];
  } else {
    groups = [...groupsOf(head), ...tail];
  }
  if (groups.length !== 8) throw bad();
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** RFC 5952: lower case, leading zeros dropped, the longest run (≥ 2) of zero groups as `::`. */
export function formatIp6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function mask6(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL << BigInt(128 - prefix)) & ALL;
}

export function parseCidr6(s: string): Cidr6 {
  const [ip, p] = s.split('/');
  const prefix = Number(p);
  if (p === undefined || !/^\d+$/.test(p) || prefix > 128) throw invalidArgument(`invalid CIDR address: ${s}`);
  return { base: parseIp6(ip) & mask6(prefix), prefix };
}

export function formatCidr6(c: Cidr6): string {
  return `${formatIp6(c.base)}/${c.prefix}`;
}

export function contains6(c: Cidr6, ip: bigint): boolean {
  return (ip & mask6(c.prefix)) === c.base;
}

export function overlaps6(a: Cidr6, b: Cidr6): boolean {
  const m = mask6(Math.min(a.prefix, b.prefix));
  return (a.base & m) === (b.base & m);
}

/**
 * A free address of the subnet (or `range`), skipping the subnet-router anycast address (the base), the
 * gateway and `used`; bounded: at most `limit` candidates from the start are looked at.
 */
export function allocateIp6(subnet: Cidr6, gateway: bigint | undefined, used: Set<bigint>, range?: Cidr6, limit = 1 << 16): bigint | undefined {
  const r = range ?? subnet;
  const size = 1n << BigInt(128 - r.prefix);
  const count = size < BigInt(limit) ? Number(size) : limit;
  for (let i = 1; i < count; i++) {
    const ip = r.base + BigInt(i);
    if (ip !== gateway && !used.has(ip) && contains6(subnet, ip)) return ip;
  }
  return undefined;
}

/** A random unique-local /64 (fdXX:XXXX:XXXX:YYYY::/64, RFC 4193) that overlaps none of `taken`. */
export function randomUlaSubnet(taken: Cidr6[]): Cidr6 {
  for (let i = 0; i < 32; i++) {
    const b = randomBytes(7);
    let n = 0xfdn;
    for (const byte of b) n = (n << 8n) | BigInt(byte);
    const candidate = { base: n << 64n, prefix: 64 };
    if (!taken.some((t) => overlaps6(t, candidate))) return candidate;
  }
  throw invalidArgument('could not find an available, non-overlapping IPv6 address pool');
}
