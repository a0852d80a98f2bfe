// Where the daemon is and how to reach it: `-H/--host`, then BERTH_HOST, then the default socket (not
// DOCKER_HOST: a shell set up for docker must not send berth's commands to dockerd). TLS for tcp:// hosts follows the docker CLI: --tls/--tlsverify flags or BERTH_TLS_VERIFY /
// DOCKER_TLS_VERIFY, certificates from --tlscacert/--tlscert/--tlskey or BERTH_CERT_PATH / DOCKER_CERT_PATH.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';

export interface ConnectionFlags {
  host?: string;
  tls?: boolean;
  tlsVerify?: boolean;
  tlsCaCert?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export interface TlsFiles { ca?: string; cert?: string; key?: string; verify: boolean }

export type DaemonAddress =
  | { kind: 'unix'; url: string; path: string }
  | { kind: 'tcp'; url: string; hostname: string; port: number; tls?: TlsFiles };

type Env = Record<string, string | undefined>;

function truthy(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

export function resolveAddress(flags: ConnectionFlags, env: Env = process.env): DaemonAddress {
  const url = flags.host || env.BERTH_HOST || DEFAULT_HOST;
  if (url.startsWith('unix://')) return { kind: 'unix', url, path: url.slice('unix://'.length) };
  if (url.startsWith('/')) return { kind: 'unix', url: `unix://${url}`, path: url };
  if (url.startsWith('tcp://') || url.startsWith('https://') || url.startsWith('http://')) {
    const u = new URL(url.replace(/^tcp:/, 'http:'));
    const verify = flags.tlsVerify ?? (truthy(env.BERTH_TLS_VERIFY) || truthy(env.DOCKER_TLS_VERIFY));
    const useTls = verify || flags.tls || url.startsWith('https://') || !!(flags.tlsCert || flags.tlsCaCert);
    const certDir = env.BERTH_CERT_PATH || env.DOCKER_CERT_PATH || join(homedir(), '.docker');
    const tls: TlsFiles | undefined = useTls ? {
      verify,
      ca: flags.tlsCaCert ?? join(certDir, 'ca.pem'),
      cert: flags.tlsCert ?? join(certDir, 'cert.pem'),
      key: flags.tlsKey ?? join(certDir, 'key.pem'),
    } : undefined;
    const port = Number(u.port || (useTls ? 2376 : 2375));
    return { kind: 'tcp', url, hostname: u.hostname.replace(/^\[|\]$/g, ''), port, tls };
  }
  throw new Error(`unable to parse docker host \`${url}\``);
}
