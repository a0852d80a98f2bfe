// Which URL a registry host is reached at, and over what: TLS by default (the host's CAs plus Docker's
// certs.d layout), plain HTTP only for loopback, `localhost` and daemon.json `insecure-registries`;
// docker.io goes to registry-1.docker.io, after the configured mirrors.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { isIP } from 'node:net';
/** Docker Hub's name in references. */
const DEFAULT_DOMAIN = 'docker.io';

export const DOCKER_HUB_API = 'registry-1.docker.io';

export interface RegistrySettings {
  insecureRegistries: string[];
  registryMirrors: string[];
  certsDir: string;
}

export interface Endpoint {
  /** Host as the reference names it (`127.0.0.1:5000`, `docker.io`): the key for credentials. */
  registry: string;
  /** `https://host[:port]` or `http://…` for the first try. */
  url: URL;
  /** Plain HTTP allowed (tried after HTTPS fails) and TLS errors tolerated, as Docker does for insecure registries. */
  insecure: boolean;
  mirror: boolean;
}

export interface TlsMaterial { ca?: string[]; cert?: string; key?: string }

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, p) => (n << 8) + Number(p), 0) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  if (isIP(ip) !== 4 || isIP(base) !== 4) return false;
  const n = Number(bits);
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return (ipv4ToInt(ip) & mask) === (ipv4ToInt(base) & mask);
}

function hostOnly(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i > 0 && !hostPort.slice(0, i).includes(':') ? hostPort.slice(0, i) : hostPort;
}

/** Loopback, localhost and the configured insecure registries may speak plain HTTP. */
export function isInsecure(registry: string, s: RegistrySettings): boolean {
  const host = hostOnly(registry);
  if (host === 'localhost' || host === '::1' || inCidr(host, '127.0.0.0/8')) return true;
  return s.insecureRegistries.some((e) => {
    const entry = e.replace(/^https?:\/\//, '').replace(/\/$/, '');
    return entry.includes('/') ? inCidr(host, entry) : entry === registry || entry === host;
  });
}

/** The endpoints to try for `registry`, best first. */
export function endpointsFor(registry: string, s: RegistrySettings): Endpoint[] {
  const out: Endpoint[] = [];
  if (registry === DEFAULT_DOMAIN) {
    for (const m of s.registryMirrors) {
      const url = new URL(m.includes('://') ? m : `https://${m}`);
      out.push({ registry, url, insecure: isInsecure(url.host, s) || url.protocol === 'http:', mirror: true });
    }
    out.push({ registry, url: new URL(`https://${DOCKER_HUB_API}`), insecure: false, mirror: false });
    return out;
  }
  out.push({ registry, url: new URL(`https://${registry}`), insecure: isInsecure(registry, s), mirror: false });
  return out;
}

/** The host's CAs plus certs.d/<host:port>/*.crt, and a client pair (*.cert + *.key) when present. */
export function tlsMaterial(registry: string, certsDir: string): TlsMaterial {
  const dir = join(certsDir, registry);
  if (!existsSync(dir)) return {};
  const extra: string[] = [];
  let cert: string | undefined;
  let key: string | undefined;
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (f.endsWith('.crt')) extra.push(readFileSync(p, 'utf8'));
    else if (f.endsWith('.cert')) { cert = readFileSync(p, 'utf8'); const k = p.replace(/\.cert$/, '.key'); if (existsSync(k)) key = readFileSync(k, 'utf8'); }
  }
  return { ca: extra.length ? [...rootCertificates, ...extra] : undefined, cert: key ? cert : undefined, key: cert ? key : undefined };
}
