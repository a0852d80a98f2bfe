// docker-registry behind bearer-token auth, with a small token server written here (RS256 JWTs whose
// x5c certificate the registry trusts): berthd follows the `WWW-Authenticate: Bearer realm,service,scope`
// challenge, sends the user's basic credentials only to the token realm, and caches tokens per scope.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon, type RunResult } from '../helpers/daemon.js';
import { startRegistry, REGISTRY_BIN, type TestRegistry } from '../helpers/registry.js';
import { imageArchive } from '../helpers/image-tar.js';

const skip = !existsSync(REGISTRY_BIN) ? `${REGISTRY_BIN} is missing` : false;
const ok = (r: RunResult): string => { assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`); return r.stdout; };

interface TokenLog { scopes: string[]; user: string | undefined }

// The docker CLI runs with spawnSync, which blocks this process: the token server lives in its own.
const SERVER = `
import http from 'node:http';
import { createSign, randomUUID } from 'node:crypto';
import { readFileSync, appendFileSync } from 'node:fs';
const [keyFile, certFile, logFile, issuer] = process.argv.slice(2);
const key = readFileSync(keyFile, 'utf8');
const der = readFileSync(certFile, 'utf8').replace(/-----[^-]+-----|\\s/g, '');
const b64url = (b) => Buffer.from(b).toString('base64url');
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const auth = req.headers.authorization;
  const [user, pass] = auth?.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':') : [];
  if (user !== 'bob' || pass !== 'pw') { res.writeHead(401, { 'Content-Type': 'application/json' }); res.end('{"details":"bad credentials"}'); return; }
  const scopes = url.searchParams.getAll('scope');
  appendFileSync(logFile, JSON.stringify({ scopes, user }) + '\\n');
  const access = scopes.map((s) => { const [type, name, actions] = s.split(':'); return { type, name, actions: (actions ?? '').split(',') }; });
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [der] }));
  const claims = b64url(JSON.stringify({ iss: issuer, sub: user, aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }));
  const sig = createSign('RSA-SHA256').update(header + '.' + claims).sign(key);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ token: header + '.' + claims + '.' + b64url(sig), expires_in: 300 }));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function tokenServer(dir: string, issuer: string): Promise<{ realm: string; log: () => TokenLog[]; close(): Promise<void> }> {
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=berth-test-token'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  writeFileSync(join(dir, 'token-server.mjs'), SERVER);
  const logFile = join(dir, 'tokens.jsonl');
  writeFileSync(logFile, '');
  const child = spawn(process.execPath, [join(dir, 'token-server.mjs'), join(dir, 'key.pem'), join(dir, 'cert.pem'), logFile, issuer], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (c: Buffer) => resolve(c.toString().trim()));
    child.once('exit', (code) => reject(new Error(`token server exited with ${code}`)));
  });
  return {
    realm: `http://127.0.0.1:${port}/token`,
    log: () => readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TokenLog),
    close: async () => { if (child.exitCode === null) { const gone = new Promise((res) => child.once('exit', res)); child.kill('SIGTERM'); await gone; } },
  };
}

describe('pull and push through bearer-token auth', { skip }, () => {
  let d: TestDaemon;
  let reg: TestRegistry;
  let tokens: Awaited<ReturnType<typeof tokenServer>>;
  const work = mkdtempSync(join(tmpdir(), 'berth-tokit-'));

  before(async () => {
    tokens = await tokenServer(work, 'berth-test-issuer');
    reg = await startRegistry({ token: { realm: tokens.realm, service: 'berth-registry', issuer: 'berth-test-issuer', rootCertBundle: join(work, 'cert.pem') } });
    d = await startDaemon(['--no-seed-busybox']);
    writeFileSync(join(work, 'img.tar'), await imageArchive('tok:1', [{ 'a.txt': 'a\n' }, { 'b.txt': 'b\n' }]));
    ok(d.docker(['load', '-i', join(work, 'img.tar')]));
  });
  after(async () => {
    await d?.stop();
    await reg?.stop();
    await tokens?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('login is checked at the token server', () => {
    const bad = d.docker(['login', '-u', 'bob', '--password-stdin', reg.addr], { input: 'nope\n' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unauthorized/);
    assert.match(ok(d.docker(['login', '-u', 'bob', '--password-stdin', reg.addr], { input: 'pw\n' })), /Login Succeeded/);
  });

  test('push and pull with tokens cached per scope', () => {
    const ref = `${reg.addr}/team/tok:1`;
    ok(d.docker(['tag', 'tok:1', ref]));
    assert.match(ok(d.docker(['push', ref])), /1: digest: sha256:/);
    assert.ok(tokens.log().some((l) => l.scopes.includes('repository:team/tok:pull,push')), JSON.stringify(tokens.log()));
    ok(d.docker(['rmi', ref, 'tok:1']));
    const before = tokens.log().length;
    const out = ok(d.docker(['pull', ref]));
    assert.equal((out.match(/Pull complete/g) ?? []).length, 2, out);
    const pulls = tokens.log().slice(before).filter((l) => l.scopes.includes('repository:team/tok:pull'));
    // Manifest, config and both layers share the one token of the pull scope.
    assert.ok(pulls.length <= 1, JSON.stringify(tokens.log().slice(before)));
    const sk = spawnSync('skopeo', ['inspect', '--tls-verify=false', '--creds', 'bob:pw', `docker://${ref}`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(sk.status, 0, sk.stderr);
    assert.equal((JSON.parse(sk.stdout) as { Layers: string[] }).Layers.length, 2);
  });
});
