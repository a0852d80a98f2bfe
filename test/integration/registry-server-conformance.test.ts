// The OCI distribution-spec conformance suite against `berth registry serve`, built with Go from the Go module
// proxy (cached in /var/cache/berth-test/) and run with every optional API enabled; once open, once behind
// htpasswd. Skipped, with the reason printed, where there is no Go toolchain and no cached binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistryServer, writeHtpasswd } from '../helpers/registry-server.js';

const CACHE = '/var/cache/berth-test';
const BINARY = join(CACHE, 'oci-conformance.test');
/** The suite's version this server was proven against (the module has no tagged releases). */
const MODULE = 'github.com/opencontainers/distribution-spec/conformance';
const VERSION = 'v0.0.0-20260831232431-97274622c111';

function findGo(): string | undefined {
  for (const p of ['/usr/local/go/bin/go', '/usr/lib/go/bin/go', '/usr/bin/go']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The cached suite binary, built on first use; or the reason it cannot be had. */
function conformanceBinary(): { path?: string; reason?: string } {
  const stamp = `${BINARY}.version`;
  if (existsSync(BINARY) && existsSync(stamp) && spawnSync('cat', [stamp], { encoding: 'utf8' }).stdout.trim() === VERSION) return { path: BINARY };
  const go = findGo();
  if (!go) return { reason: 'no Go toolchain (go) found to build the OCI conformance suite' };
  // A test package of a module with its own go.mod: built from a throwaway module that requires it.
  const mod = join(CACHE, 'oci-conformance-build');
  rmSync(mod, { recursive: true, force: true });
  mkdirSync(mod, { recursive: true });
  writeFileSync(join(mod, 'go.mod'), 'module berthconformance\n\ngo 1.24\n');
  writeFileSync(join(mod, 'tools.go'), `package berthconformance\n\nimport _ "${MODULE}"\n`);
  const env = { ...process.env, GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local' };
  const steps: string[][] = [['get', `${MODULE}@${VERSION}`], ['test', '-c', '-o', BINARY, MODULE]];
  for (const args of steps) {
    const r = spawnSync(go, args, { cwd: mod, env, encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) return { reason: `building the OCI conformance suite failed (go ${args.join(' ')}): ${(r.stderr || String(r.error)).slice(-600)}` };
  }
  writeFileSync(stamp, VERSION + '\n');
  return { path: BINARY };
}

interface Counts { result: string; pass: number; fail: number; error: number; skip: number; disabled: number; total: number }

function parseCounts(out: string): Counts {
  const num = (label: string) => Number(new RegExp(`^\\s*${label}\\.+:\\s+(\\d+)`, 'm').exec(out)?.[1] ?? NaN);
  return {
    result: /OCI Conformance Result: (\w+)/.exec(out)?.[1] ?? 'missing',
    pass: num('Pass'), fail: num('FAIL'), error: num('Error'), skip: num('Skip'), disabled: num('Disabled'), total: num('Total'),
  };
}

const built = conformanceBinary();

async function runSuite(t: { diagnostic(msg: string): void }, serverArgs: string[], env: Record<string, string>): Promise<Counts> {
  const results = mkdtempSync(join(tmpdir(), 'berth-conformance-'));
  const reg = await startRegistryServer(serverArgs);
  try {
    const r = spawnSync(built.path!, ['-test.v'], {
      cwd: results,
      encoding: 'utf8',
      timeout: 600_000,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: results,
        OCI_ROOT_URL: `http://${reg.addr}`,
        OCI_NAMESPACE: 'conformance/repo1',
        OCI_CROSSMOUNT_NAMESPACE: 'conformance/repo2',
        OCI_TEST_PULL: '1',
        OCI_TEST_PUSH: '1',
        OCI_TEST_CONTENT_DISCOVERY: '1',
        OCI_TEST_CONTENT_MANAGEMENT: '1',
        // Optional parts, all supported: cancel, tags as PUT parameters, digest headers on every response.
        OCI_API_BLOBS_UPLOAD_CANCEL: 'true',
        OCI_API_MANIFESTS_TAG_PARAM: 'true',
        OCI_API_BLOBS_DIGEST_HEADER: 'true',
        OCI_API_MANIFESTS_DIGEST_HEADER: 'true',
        OCI_RESULTS_DIR: join(results, 'results'),
        ...env,
      },
    });
    const out = `${r.stdout}\n${r.stderr}`;
    const counts = parseCounts(out);
    t.diagnostic(`OCI conformance: ${counts.result}: ${counts.pass} passed, ${counts.fail} failed, ${counts.error} errors, ${counts.skip} skipped, ${counts.disabled} disabled of ${counts.total}`);
    if (counts.result !== 'Pass') t.diagnostic(out.split('\n').filter((l) => /FAIL|level=WARN|level=ERROR/.test(l)).slice(0, 40).join('\n'));
    return counts;
  } finally {
    await reg.stop();
    rmSync(results, { recursive: true, force: true });
  }
}

test('OCI distribution-spec conformance: pull, push, content discovery, content management', { skip: built.reason, timeout: 900_000 }, async (t) => {
  const c = await runSuite(t, [], {});
  assert.equal(c.result, 'Pass');
  assert.equal(c.fail, 0);
  assert.equal(c.error, 0);
  assert.ok(c.pass > 500, `only ${c.pass} tests passed`);
});

test('OCI conformance behind htpasswd Basic auth', { skip: built.reason, timeout: 900_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-conformance-auth-'));
  try {
    await writeHtpasswd(join(dir, 'htpasswd'), 'conformance', 'p4ss');
    const c = await runSuite(t, ['--htpasswd', join(dir, 'htpasswd')], { OCI_USERNAME: 'conformance', OCI_PASSWORD: 'p4ss' });
    assert.equal(c.result, 'Pass');
    assert.equal(c.fail, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

if (built.reason) console.log(`# skipping OCI conformance: ${built.reason}`);
