// berth over TCP with TLS client certificates: flags and DOCKER_TLS_VERIFY/DOCKER_CERT_PATH both work,
// and a client without a certificate is refused. The host comes from BERTH_HOST.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, BERTH } from '../helpers/daemon.js';
import { makeTestCerts, freePort } from '../helpers/tls.js';

test('berth -H tcp:// with --tlsverify and client certs, or DOCKER_CERT_PATH', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-tls-'));
  makeTestCerts(dir);
  const port = await freePort();
  const t = await startDaemon(['--no-seed-busybox', '-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', join(dir, 'ca.pem'), '--tlscert', join(dir, 'server-cert.pem'), '--tlskey', join(dir, 'server-key.pem')]);
  const host = `tcp://127.0.0.1:${port}`;
  const berth = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [BERTH, ...args], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', HOME: join(dir, 'home'), ...env } });
  try {
    mkdirSync(join(dir, 'home'));
    const flags = berth(['-H', host, '--tlsverify', '--tlscacert', join(dir, 'ca.pem'), '--tlscert', join(dir, 'cert.pem'), '--tlskey', join(dir, 'key.pem'), 'version', '--format', '{{.Server.APIVersion}}'], {});
    assert.equal(flags.status, 0, flags.stderr);
    assert.equal(flags.stdout, '1.50\n');
    const env = berth(['version', '--format', '{{.Server.APIVersion}}'], { BERTH_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    assert.equal(env.status, 0, env.stderr);
    assert.equal(env.stdout, '1.50\n');
    const noCert = berth(['-H', host, '--tlsverify', '--tlscacert', join(dir, 'ca.pem'), 'info'], {});
    assert.notEqual(noCert.status, 0, 'a client without a certificate must be refused');
  } finally {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
