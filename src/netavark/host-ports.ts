// Host ports for published container ports: explicit ports are checked free (netavark only writes DNAT
// rules, so nothing else would notice a clash), ranges and 0 get the first free port.
import dgram from 'node:dgram';
import net from 'node:net';
import { conflict } from '../errors.js';
import type { PortRequest } from '../model/network.js';
import type { PortMapping } from '../model/network.js';

/** Ports Berth itself has published, as `proto/port` with the host IPs bound on each. */
export type PortsInUse = Map<string, Set<string>>;

function probe(ip: string, port: number, protocol: string): Promise<number | undefined> {
  const host = ip || '0.0.0.0';
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      s.once('error', () => { s.close(); resolve(undefined); });
      s.bind({ address: host, port, exclusive: true }, () => { const p = s.address().port; s.close(() => resolve(p)); });
      return;
    }
    const srv = net.createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen({ host, port, exclusive: true }, () => {
      const addr = srv.address();
      const p = typeof addr === 'object' && addr ? addr.port : undefined;
      srv.close(() => resolve(p));
    });
  });
}

function takenByUs(inUse: PortsInUse, protocol: string, ip: string, port: number): boolean {
  const ips = inUse.get(`${protocol}/${port}`);
  if (!ips) return false;
  return ips.has('') || ip === '' || ips.has(ip);
}

function mark(inUse: PortsInUse, m: PortMapping): void {
  const key = `${m.protocol}/${m.host_port}`;
  const set = inUse.get(key) ?? new Set<string>();
  set.add(m.host_ip);
  inUse.set(key, set);
}

/** Chooses and checks host ports; throws Docker's "port is already allocated" on a clash. */
export async function assignHostPorts(reqs: PortRequest[], inUse: PortsInUse): Promise<PortMapping[]> {
  const out: PortMapping[] = [];
  const local: PortsInUse = new Map([...inUse].map(([k, v]) => [k, new Set(v)]));
  for (const r of reqs) {
    const ip = r.hostIp === '0.0.0.0' ? '' : r.hostIp;
    let port: number | undefined;
    if (r.hostPortLow === 0) {
      // Let the kernel pick a free ephemeral port; bounded retries when it is one we published.
      for (let i = 0; i < 20 && port === undefined; i++) {
        const p = await probe(ip, 0, r.protocol);
        if (p && !takenByUs(local, r.protocol, ip, p)) port = p;
      }
    } else {
      for (let p = r.hostPortLow; p <= r.hostPortHigh && port === undefined; p++) {
        if (!takenByUs(local, r.protocol, ip, p) && (await probe(ip, p, r.protocol)) !== undefined) port = p;
      }
    }
    if (port === undefined) {
      const shown = r.hostPortLow === r.hostPortHigh ? String(r.hostPortLow) : `${r.hostPortLow}-${r.hostPortHigh}`;
      throw conflict(`driver failed programming external connectivity: Bind for ${ip || '0.0.0.0'}:${shown} failed: port is already allocated`);
    }
    const m: PortMapping = { host_ip: ip, container_port: r.containerPort, host_port: port, range: 1, protocol: r.protocol };
    mark(local, m);
    out.push(m);
  }
  return out;
}

export function markInUse(inUse: PortsInUse, mappings: PortMapping[]): void {
  for (const m of mappings) mark(inUse, m);
}
