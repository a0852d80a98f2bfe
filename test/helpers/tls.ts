// Test PKI for TCP+TLS tests: a CA, a server certificate for 127.0.0.1/localhost and a client certificate,
// made with openssl in `dir` (ca.pem, server-cert.pem, server-key.pem, cert.pem, key.pem — the names the
// docker CLI looks for under DOCKER_CERT_PATH).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';

export function makeTestCerts(dir: string): void {
  const ssl = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=berth-test-ca']);
  for (const who of ['server', 'client'] as const) {
    const key = who === 'client' ? 'key.pem' : 'server-key.pem';
    const cert = who === 'client' ? 'cert.pem' : 'server-cert.pem';
    ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', `${who}.csr`, '-subj', `/CN=${who === 'server' ? 'localhost' : 'client'}`]);
    const ext = join(dir, `${who}.ext`);
    writeFileSync(ext, who === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n');
    ssl(['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}
