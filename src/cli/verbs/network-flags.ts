// The networking flags of `run`/`create` (-p, -P, --expose, --network-alias, --ip, --mac-address,
// --dns-search, --dns-option) and their translation into the create body, as docker's CLI sends them.
import type { FlagSpec, ParsedFlags } from '../flags.js';
import { UsageError } from '../flags.js';
import type { ContainerCreateBody } from '../../client/types.js';

export const networkFlags: FlagSpec[] = [
  { long: 'dns-option', kind: 'list', help: 'Set DNS options' },
  { long: 'dns-search', kind: 'list', help: 'Set custom DNS search domains' },
  { long: 'expose', kind: 'list', help: 'Expose a port or a range of ports' },
  { long: 'ip', kind: 'string', help: 'IPv4 address (e.g., 172.30.100.104)' },
  { long: 'ip6', kind: 'string', help: 'IPv6 address (e.g., 2001:db8::33)' },
  { long: 'mac-address', kind: 'string', help: 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' },
  { long: 'network-alias', kind: 'list', help: 'Add network-scoped alias for the container' },
  { long: 'publish', short: 'p', kind: 'list', help: "Publish a container's port(s) to the host" },
  { long: 'publish-all', short: 'P', kind: 'bool', help: 'Publish all exposed ports to random ports' },
];

function range(s: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw new UsageError(`invalid ${what}: ${s}`);
  const lo = Number(m[1]);
  const hi = m[2] ? Number(m[2]) : lo;
  if (lo < 1 || hi > 65535 || hi < lo) throw new UsageError(`invalid ${what}: ${s}`);
  return [lo, hi];
}

export interface PortSpec { key: string; hostIp: string; hostPort: string }

/** docker's nat.ParsePortSpec: `[ip:][hostPort:]containerPort[/proto]`, with ranges and `[v6]` hosts. */
export function parsePublish(spec: string): PortSpec[] {
  let rest = spec;
  let proto = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) { proto = rest.slice(slash + 1) || 'tcp'; rest = rest.slice(0, slash); }
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new UsageError(`invalid proto: ${proto}`);
  let hostIp = '';
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (v6) { hostIp = v6[1]; rest = v6[2]; }
  const parts = rest.split(':');
  let hostPart = '';
  let ctrPart: string;
  if (parts.length === 1) ctrPart = parts[0];
  else if (parts.length === 2) [hostPart, ctrPart] = parts;
  else if (parts.length === 3 && !v6) [hostIp, hostPart, ctrPart] = parts;
  else throw new UsageError(`invalid port format: ${spec}`);
  const [clo, chi] = range(ctrPart, 'containerPort');
  const [hlo, hhi] = hostPart ? range(hostPart, 'hostPort') : [0, 0];
  const count = chi - clo + 1;
  if (hostPart && hhi - hlo + 1 !== count && count !== 1) throw new UsageError(`invalid ranges specified for container and host Ports: ${ctrPart} and ${hostPart}`);
  const out: PortSpec[] = [];
  for (let i = 0; i < count; i++) {
    let hostPort = '';
    if (hostPart) hostPort = count === 1 && hhi !== hlo ? `${hlo}-${hhi}` : String(hlo + i);
    out.push({ key: `${clo + i}/${proto}`, hostIp, hostPort });
  }
  return out;
}

/** Fills the create body's port, DNS and endpoint settings from the flags. */
export function applyNetworkFlags(flags: ParsedFlags, body: ContainerCreateBody, network: string | undefined): void {
  const hc = body.HostConfig as unknown as Record<string, unknown>;
  const cfg = body as unknown as Record<string, unknown>;
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const e of flags.list('expose')) {
    const [p, proto = 'tcp'] = e.split('/');
    const [lo, hi] = range(p, 'range for exposed ports');
    for (let port = lo; port <= hi; port++) exposed[`${port}/${proto}`] = {};
  }
  for (const spec of flags.list('publish')) {
    for (const s of parsePublish(spec)) {
      exposed[s.key] = {};
      (bindings[s.key] ??= []).push({ HostIp: s.hostIp, HostPort: s.hostPort });
    }
  }
  if (Object.keys(exposed).length) cfg.ExposedPorts = exposed;
  hc.PortBindings = bindings;
  hc.PublishAllPorts = flags.bool('publish-all');
  hc.DnsSearch = flags.list('dns-search');
  hc.DnsOptions = flags.list('dns-option');
  const aliases = flags.list('network-alias');
  const ip = flags.string('ip');
  const ip6 = flags.string('ip6');
  const mac = flags.string('mac-address');
  if (aliases.length || ip || ip6 || mac) {
    const name = network && network !== 'default' ? network : 'bridge';
    const ipam = ip || ip6 ? { IPAMConfig: { ...(ip ? { IPv4Address: ip } : {}), ...(ip6 ? { IPv6Address: ip6 } : {}) } } : {};
    body.NetworkingConfig = { EndpointsConfig: { [name]: { ...(aliases.length ? { Aliases: aliases } : {}), ...ipam, ...(mac ? { MacAddress: mac } : {}) } } };
  }
}
