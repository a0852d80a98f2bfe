// daemon.json `registry-server` (the registry inside berthd) and the read-only view of berthd's images.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDaemonArgs } from '../../src/daemon/config.js';
import { localManifest, localRefName, splitLocalRef } from '../../src/registry/server/storage/local-images.js';

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'berth-regcfg-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

function withConfig(value: unknown) {
  const p = join(dir, `daemon-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(p, JSON.stringify({ 'registry-server': value }));
  return () => parseDaemonArgs(['--config-file', p]);
}

test('registry-server in daemon.json: addr required, options mapped, unknown keys refused', () => {
  writeFileSync(join(dir, 'empty.json'), '{}');
  assert.equal(parseDaemonArgs(['--config-file', join(dir, 'empty.json')]).registryServer, undefined, 'off unless asked for');
  assert.deepEqual(withConfig({ addr: '127.0.0.1:5000', htpasswd: '/etc/h', 'tls-cert': 'c', 'tls-key': 'k', realm: 'R' })().registryServer,
    { addr: '127.0.0.1:5000', htpasswd: '/etc/h', tlsCert: 'c', tlsKey: 'k', realm: 'R' });
  assert.throws(withConfig({}), /addr \(HOST:PORT\) is required/);
  assert.throws(withConfig({ addr: 'x:1', port: 5 }), /unknown option "port"/);
  assert.throws(withConfig({ addr: 'x:1', 'tls-cert': 'c' }), /tls-cert and tls-key go together/);
  assert.throws(withConfig('127.0.0.1:5000'), /want an object/);
});

test('berthd image names map to repositories; registry-hosted names are not served', () => {
  assert.equal(localRefName('library/busybox'), 'busybox');
  assert.equal(localRefName('me/app'), 'me/app');
  assert.deepEqual(splitLocalRef('busybox:latest'), { name: 'busybox', tag: 'latest' });
  assert.deepEqual(splitLocalRef('me/app:1.0'), { name: 'me/app', tag: '1.0' });
  assert.equal(splitLocalRef('localhost:5000/app:1'), undefined);
  assert.equal(splitLocalRef('registry.example/app:1'), undefined);
  assert.equal(splitLocalRef('app@sha256:' + 'a'.repeat(64)), undefined);
});

test('the manifest made for a berthd image is deterministic and names its config and layer tars', () => {
  const img = { id: 'sha256:' + '1'.repeat(64), diffIds: ['sha256:' + '2'.repeat(64)] };
  const a = localManifest(img, { config: 10, layers: [20] });
  assert.deepEqual(a, localManifest(img, { config: 10, layers: [20] }));
  const m = JSON.parse(a.body.toString()) as { config: { digest: string; size: number }; layers: Array<{ digest: string; size: number; mediaType: string }> };
  assert.equal(m.config.digest, img.id);
  assert.deepEqual(m.layers, [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: img.diffIds[0], size: 20 }]);
});
