// Debian's docker-registry (CNCF distribution 2.8) on 127.0.0.1 for tests: a config file written here,
// storage in a temp dir, optional htpasswd (bcrypt) or token auth, stopped and removed by `stop()`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import net from 'node:net';
import bcrypt from 'bcryptjs';
import { freePort } from './tls.js';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface TestRegistry { addr: string; dir: string; stop(): Promise<void>; log(): string; kill(): void; child: ChildProcess }

export interface RegistryAuth {
  htpasswd?: Record<string, string>;
  /** Token auth: the registry trusts tokens signed by this certificate. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** HTTPS with this pair; with `clientCa`, clients must show a certificate that CA signed. */
  tls?: { cert: string; key: string; clientCa?: string };
}

function ping(addr: string, tls: boolean): Promise<number> {
  return new Promise((resolve) => {
    // Over TLS any answer to the handshake attempt (even a refused client certificate) means it is up.
    if (tls) {
      const s = net.connect({ host: '127.0.0.1', port: Number(addr.split(':')[1]) }, () => { s.destroy(); resolve(200); });
      s.on('error', () => resolve(0));
      return;
    }
    const req = http.get(`http://${addr}/v2/`, { agent: false }, (r) => { r.resume(); resolve(r.statusCode ?? 0); });
    req.on('error', () => resolve(0));
  });
}

export async function startRegistry(auth: RegistryAuth = {}, port?: number, dir?: string): Promise<TestRegistry> {
  const base = dir ?? mkdtempSync(join(tmpdir(), 'berth-registry-'));
  const p = port ?? await freePort();
  const lines = [
    'version: 0.1', 'log:', '  level: warn', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:', `    rootdirectory: ${join(base, 'data')}`,
    '  delete:', '    enabled: true', 'http:', `  addr: 127.0.0.1:${p}`,
  ];
  if (auth.tls) {
    lines.push('  tls:', `    certificate: ${auth.tls.cert}`, `    key: ${auth.tls.key}`);
    if (auth.tls.clientCa) lines.push('    clientcas:', `      - ${auth.tls.clientCa}`);
  }
  if (auth.htpasswd) {
    const file = join(base, 'htpasswd');
    writeFileSync(file, Object.entries(auth.htpasswd).map(([u, pw]) => `${u}:${bcrypt.hashSync(pw, 5)}`).join('\n') + '\n');
    lines.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${file}`);
  } else if (auth.token) {
    lines.push('auth:', '  token:', `    realm: ${auth.token.realm}`, `    service: ${auth.token.service}`, `    issuer: ${auth.token.issuer}`, `    rootcertbundle: ${auth.token.rootCertBundle}`);
  }
  writeFileSync(join(base, 'config.yml'), lines.join('\n') + '\n');
  const logFile = join(base, 'registry.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(REGISTRY_BIN, ['serve', join(base, 'config.yml')], { stdio: ['ignore', fd, fd] });
  const addr = `127.0.0.1:${p}`;
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(kill, 5000);
      await exited;
      clearTimeout(t);
    }
    if (!dir) rmSync(base, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    const status = await ping(addr, auth.tls !== undefined);
    if (status === 200 || status === 401) return { addr, dir: base, stop, log, kill, child };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`docker-registry did not come up on ${addr}:\n${log()}`);
}
