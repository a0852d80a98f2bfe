// Shapes of Berth's networks: the record kept per network on disk (Docker's Network resource shape,
// plus what netavark needs), and the per-container settings shown in inspect's NetworkSettings.

export interface IpamPool { Subnet: string; Gateway?: string; IPRange?: string; AuxiliaryAddresses?: Record<string, string> }

/** A network as Docker's API shows it (without Containers, filled in per request). */
export interface NetworkRecord {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: IpamPool[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  /** Host bridge interface (berth0, br-<id12>); empty for host/none. */
  BridgeName?: string;
}

/** Docker's EndpointSettings as stored in a container's NetworkSettings.Networks. */
export interface EndpointSettings {
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Links: string[] | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  GwPriority: number;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
}

export interface PortBinding { HostIp: string; HostPort: string }

/** What Berth keeps per container about its networks (ContainerRecord.NetworkSettings). */
export interface ContainerNetworkSettings {
  Networks: Record<string, EndpointSettings>;
  /** Published ports of the current run ("80/tcp" → bindings, null when only exposed). */
  Ports: Record<string, PortBinding[] | null>;
  /** Named network namespace of the current run (`/var/run/netns/berth-<id12>`), empty when stopped. */
  SandboxKey: string;
  /** MAC addresses asked for (--mac-address), per network key. */
  StaticMacs?: Record<string, string>;
  /** The current run's namespace may have been changed from inside (a privileged exec): never recycled. */
  SandboxTainted?: boolean;
}

/** One published port as asked for (-p), before host ports are assigned. */
export interface PortRequest { containerPort: number; protocol: 'tcp' | 'udp' | 'sctp'; hostIp: string; hostPortLow: number; hostPortHigh: number }

/** A port mapping as netavark takes it. */
export interface PortMapping { host_ip: string; container_port: number; host_port: number; range: number; protocol: 'tcp' | 'udp' | 'sctp' }

export const PREDEFINED = ['bridge', 'host', 'none'] as const;
