// Binds the API to each -H address: UNIX sockets are root-only (0660, root or --group); TCP requires
// TLS with client certificates (--tlsverify) unless the user opts into --insecure-tcp.
import net from 'node:net';
import { mkdirSync, readFileSync, unlinkSync, chmodSync, chownSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { invalidArgument } from '../errors.js';
import { checkTcpSecurity, type DaemonConfig } from './config.js';
import { createHttpServer, type TlsOptions } from '../api/server.js';
import type { Router } from '../api/router.js';

function groupId(name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[0] === name);
  if (!line) throw invalidArgument(`group ${name} not found`);
  return Number(line.split(':')[2]);
}

async function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(path);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

function listen(server: net.Server, arg: string | { port: number; host: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => { server.off('error', reject); resolve(); };
    if (typeof arg === 'string') server.listen(arg, done);
    else server.listen(arg.port, arg.host, done);
  });
}

/** TLS material for a tcp:// listener (checkTcpSecurity already refused unsafe set-ups). */
function tlsOptionsFor(cfg: DaemonConfig, host: string): TlsOptions | undefined {
  checkTcpSecurity({ ...cfg, hosts: [host] });
  if (!cfg.tls) return undefined;
  if (!cfg.tlsCert || !cfg.tlsKey) throw invalidArgument('TLS on tcp:// needs --tlscert and --tlskey');
  if (cfg.tlsVerify && !cfg.tlsCaCert) throw invalidArgument('--tlsverify needs --tlscacert to verify clients');
  return {
    cert: readFileSync(cfg.tlsCert),
    key: readFileSync(cfg.tlsKey),
    ca: cfg.tlsCaCert ? readFileSync(cfg.tlsCaCert) : undefined,
    requestCert: cfg.tlsVerify,
  };
}

export async function openListeners(cfg: DaemonConfig, router: Router): Promise<net.Server[]> {
  const servers: net.Server[] = [];
  for (const host of cfg.hosts) {
    const url = host.includes('://') ? host : `unix://${host}`;
    if (url.startsWith('unix://')) {
      const path = url.slice('unix://'.length);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      if (existsSync(path)) {
        if (await socketInUse(path)) throw invalidArgument(`${path} is in use by another daemon`);
        unlinkSync(path);
      }
      const server = createHttpServer(router);
      // Create the socket with no access for others from the first instant, then open it to the group.
      const oldMask = process.umask(0o177);
      try { await listen(server, path); } finally { process.umask(oldMask); }
      chownSync(path, 0, cfg.group ? groupId(cfg.group) : 0);
      chmodSync(path, 0o660);
      servers.push(server);
    } else if (url.startsWith('tcp://')) {
      const u = new URL(url.replace(/^tcp:/, 'http:'));
      const port = Number(u.port || (cfg.tls ? 2376 : 2375));
      const hostname = u.hostname.replace(/^\[|\]$/g, '') || '0.0.0.0';
      const server = createHttpServer(router, tlsOptionsFor(cfg, host));
      await listen(server, { port, host: hostname });
      servers.push(server);
    } else {
      throw invalidArgument(`invalid host: ${host} (use unix:///path or tcp://host:port)`);
    }
  }
  return servers;
}
