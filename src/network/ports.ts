// Published ports: HostConfig.PortBindings / PublishAllPorts with the image's ExposedPorts become
// netavark port mappings, and the mappings become Docker's NetworkSettings.Ports and ps's Ports.
import { invalidArgument } from '../errors.js';
import type { PortBinding, PortMapping, PortRequest } from '../model/network.js';

export type { PortRequest };

/** A request to publish one container port: host port 0 means "pick one". */

export function parsePortKey(key: string): { port: number; protocol: 'tcp' | 'udp' | 'sctp' } {
  const [p, proto = 'tcp'] = key.split('/');
  const port = Number(p);
  if (!/^\d+$/.test(p) || port < 1 || port > 65535) throw invalidArgument(`invalid port specification: "${key}"`);
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw invalidArgument(`invalid proto: ${proto}`);
  return { port, protocol: proto };
}

function hostPortRange(s: string | undefined): [number, number] {
  if (!s) return [0, 0];
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw invalidArgument(`invalid hostPort: ${s}`);
  const low = Number(m[1]);
  const high = m[2] ? Number(m[2]) : low;
  if (low > 65535 || high > 65535 || high < low) throw invalidArgument(`invalid hostPort: ${s}`);
  return [low, high];
}

/** What to publish: explicit bindings, plus every exposed port on a random host port with -P. */
export function portRequests(bindings: Record<string, PortBinding[] | null> | null | undefined, publishAll: boolean, exposed: Record<string, unknown> | null | undefined): PortRequest[] {
  const out: PortRequest[] = [];
  const seen = new Set<string>();
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { port, protocol } = parsePortKey(key);
    seen.add(`${port}/${protocol}`);
    for (const b of list?.length ? list : [{ HostIp: '', HostPort: '' }]) {
      const [low, high] = hostPortRange(b.HostPort);
      out.push({ containerPort: port, protocol, hostIp: b.HostIp ?? '', hostPortLow: low, hostPortHigh: high });
    }
  }
  if (publishAll) {
    for (const key of Object.keys(exposed ?? {})) {
      const { port, protocol } = parsePortKey(key);
      if (!seen.has(`${port}/${protocol}`)) out.push({ containerPort: port, protocol, hostIp: '', hostPortLow: 0, hostPortHigh: 0 });
    }
  }
  return out;
}

/**
 * Docker's NetworkSettings.Ports: every exposed port, with its bindings or null. On a dual-stack network
 * a port published on every address is reachable on both families (netavark writes DNAT rules for
 * each), and Docker shows it twice: 0.0.0.0 and ::.
 */
export function portsView(mappings: PortMapping[], exposed: Record<string, unknown> | null | undefined, dualStack = false): Record<string, PortBinding[] | null> {
  const out: Record<string, PortBinding[] | null> = {};
  for (const key of Object.keys(exposed ?? {})) out[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const m of mappings) {
    const key = `${m.container_port}/${m.protocol}`;
    const list = out[key] ?? [];
    list.push({ HostIp: m.host_ip || '0.0.0.0', HostPort: String(m.host_port) });
    if (!m.host_ip && dualStack) list.push({ HostIp: '::', HostPort: String(m.host_port) });
    out[key] = list;
  }
  return out;
}

export interface PortSummary { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }

/** ps's Ports (ContainerSummary.Ports) from NetworkSettings.Ports. */
export function portsSummary(ports: Record<string, PortBinding[] | null> | undefined): PortSummary[] {
  const out: PortSummary[] = [];
  for (const [key, list] of Object.entries(ports ?? {})) {
    const [p, proto = 'tcp'] = key.split('/');
    if (!list?.length) { out.push({ PrivatePort: Number(p), Type: proto }); continue; }
    for (const b of list) out.push({ IP: b.HostIp, PrivatePort: Number(p), PublicPort: Number(b.HostPort), Type: proto });
  }
  return out;
}
