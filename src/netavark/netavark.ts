// Drives netavark (Podman's network tool, Debian's netavark package): builds its options JSON from a
// network record and an endpoint, and runs `setup` / `teardown` on a container's namespace.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { internal } from '../errors.js';
import type { NetworkRecord, PortMapping } from '../model/network.js';

export const NETAVARK_CANDIDATES = ['/usr/lib/podman/netavark', '/usr/libexec/podman/netavark', '/usr/local/lib/podman/netavark'];

export function findNetavark(): string | undefined {
  return NETAVARK_CANDIDATES.find((p) => existsSync(p));
}

/**
 * netavark's name for a network, which names its firewall chains: one per host bridge (per network for
 * macvlan). Daemons that
 * share a bridge (the default berth0) then share its chains, and the last teardown on the bridge removes
 * them; a per-daemon name would leave each daemon's chains behind while another still uses the bridge.
 */
export function netavarkName(net: NetworkRecord): string {
  return `berth-${net.BridgeName || net.Id.slice(0, 12)}`;
}

export interface EndpointRequest {
  containerId: string;
  containerName: string;
  interfaceName: string;
  ip: string;
  /** The IPv6 address on a dual-stack network. */
  ip6?: string;
  mac?: string;
  /** DNS names: container name, aliases, short ID. */
  names: string[];
  ports: PortMapping[];
}

export interface NetavarkOptions {
  container_id: string;
  container_name: string;
  networks: Record<string, { interface_name: string; static_ips: string[]; aliases: string[]; static_mac?: string }>;
  network_info: Record<string, Record<string, unknown>>;
  port_mappings: PortMapping[] | null;
}

export function netavarkOptions(net: NetworkRecord, ep: EndpointRequest): NetavarkOptions {
  const name = netavarkName(net);
  const mtu = net.Options['com.docker.network.driver.mtu'];
  const macvlan = net.Driver === 'macvlan';
  // Docker isolates bridge networks from each other; netavark does it when asked.
  const options: Record<string, string> = macvlan ? { mode: net.Options.macvlan_mode || 'bridge' } : { isolate: 'true' };
  if (mtu) options.mtu = mtu;
  const subnets = net.IPAM.Config.filter((c) => net.EnableIPv6 || !c.Subnet.includes(':')).map((c) => ({ subnet: c.Subnet, gateway: c.Gateway }));
  return {
    container_id: ep.containerId,
    container_name: ep.containerName,
    networks: { [name]: { interface_name: ep.interfaceName, static_ips: ep.ip6 ? [ep.ip, ep.ip6] : [ep.ip], aliases: ep.names, ...(ep.mac ? { static_mac: ep.mac } : {}) } },
    network_info: {
      [name]: {
        name, id: net.Id, driver: macvlan ? 'macvlan' : 'bridge', network_interface: macvlan ? net.Options.parent : net.BridgeName,
        // Docker's default bridge has no name resolution; user-defined bridges do (aardvark-dns on the
        // gateway). A macvlan network has no host-side address for aardvark to listen on.
        dns_enabled: !macvlan && net.Name !== 'bridge', internal: net.Internal, ipv6_enabled: net.EnableIPv6, options,
        ipam_options: { driver: 'host-local' },
        subnets,
      },
    },
    port_mappings: ep.ports.length ? ep.ports : null,
  };
}

export interface SetupResult { mac: string; dnsServers: string[] }

/**
 * Every berthd on the host shares the firewall's netavark chains, and netavark 1.4 races on them when
 * two runs create or delete rules at once: a host-wide lock (util-linux flock) orders the runs of all
 * daemons. It is a readers-writer lock: a run that may create or delete rules (a network's first set-up,
 * published ports, every teardown) takes it exclusively; a set-up that only finds its network's rules
 * already there (its bridge exists, so whoever made the bridge made the rules under the exclusive lock)
 * takes it shared, and such runs go in parallel — netavark's time is mostly waiting on its ~25 iptables
 * children, so 10 at once took 0.36 s against 1.27 s one after another here. `-o`: the aardvark-dns that
 * netavark starts must not inherit (and hold) the lock.
 */
export const FLOCK = '/usr/bin/flock';
export const HOST_LOCK = '/run/lock/berth-netavark.lock';

/** How a run takes the host-wide lock; `shared` names the bridge that must exist once the lock is held. */
export type LockMode = { exclusive: true } | { exclusive: false; bridge: string };

/** Work nobody waits for (filling the namespace pool) runs niced, so container starts get the CPU first. */
export interface RunOptions { background?: boolean; lock?: LockMode }
const NICE = '/usr/bin/nice';
const SH = '/bin/sh';
/** The exit status of a shared run that found no bridge under the lock (it ran nothing). */
const NO_BRIDGE = 111;

export function hostLockAvailable(): boolean {
  return existsSync(FLOCK) && existsSync('/run/lock');
}

function lockedArgv(bin: string, args: string[], lock: LockMode): string[] {
  if (!hostLockAvailable()) return [bin, ...args];
  if (lock.exclusive || !/^[\w.-]{1,15}$/.test(lock.bridge)) return [FLOCK, '-x', '-o', '-w', '120', HOST_LOCK, bin, ...args];
  // The bridge is checked under the lock: between a check outside it and the run, an exclusive
  // teardown could have removed the bridge and its rules, and two shared runs would then both add them.
  const script = `[ -e "/sys/class/net/$0" ] || exit ${NO_BRIDGE}; exec "$@"`;
  return [FLOCK, '-s', '-o', '-w', '60', HOST_LOCK, SH, '-c', script, lock.bridge, bin, ...args];
}

/** netavark's output; `undefined` when a shared set-up found its bridge gone under the lock (it ran nothing). */
function runNetavark(bin: string, configDir: string, verb: 'setup' | 'teardown', nsPath: string, opts: NetavarkOptions, run: RunOptions = {}): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const args = ['--config', configDir, verb, nsPath];
    const lock = verb === 'teardown' ? { exclusive: true as const } : run.lock ?? { exclusive: true as const };
    let argv = lockedArgv(bin, args, lock);
    if (run.background && existsSync(NICE)) argv = [NICE, '-n', '10', ...argv];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) { resolve(out); return; }
      if (code === NO_BRIDGE && !lock.exclusive) { resolve(undefined); return; }
      // netavark prints {"error": "..."} on failure; syslog noise otherwise.
      const msg = /"error"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(err + out)?.[1] ?? err.replace(/failed to connect to syslog[^\n]*/g, '').trim();
      reject(internal(`netavark ${verb} failed: ${msg || `exit ${code}`}`));
    });
    child.stdin.end(JSON.stringify(opts));
  });
}

export async function netavarkSetup(bin: string, configDir: string, nsPath: string, opts: NetavarkOptions, run: RunOptions = {}): Promise<SetupResult> {
  // A shared run that found no bridge ran nothing: the bridge and its rules are to be made, exclusively.
  const out = await runNetavark(bin, configDir, 'setup', nsPath, opts, run)
    ?? await runNetavark(bin, configDir, 'setup', nsPath, opts, { ...run, lock: { exclusive: true } });
  const parsed = JSON.parse(out ?? '{}') as Record<string, { interfaces?: Record<string, { mac_address?: string }>; dns_server_ips?: string[] }>;
  const status = Object.values(parsed)[0] ?? {};
  const iface = Object.values(status.interfaces ?? {})[0] ?? {};
  return { mac: iface.mac_address ?? '', dnsServers: status.dns_server_ips ?? [] };
}

export async function netavarkTeardown(bin: string, configDir: string, nsPath: string, opts: NetavarkOptions, run: RunOptions = {}): Promise<void> {
  await runNetavark(bin, configDir, 'teardown', nsPath, opts, run);
}
