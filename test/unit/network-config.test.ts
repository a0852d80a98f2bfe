import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDaemonArgs } from '../../src/daemon/config.js';

test('default bridge and address pools: defaults stay clear of docker0, daemon.json and flags override', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-netcfg-'));
  try {
    const none = join(dir, 'none.json');
    writeFileSync(none, '{}');
    const d = parseDaemonArgs(['--config-file', none]);
    assert.equal(d.bridgeName, 'berth0');
    assert.equal(d.bip, '172.30.0.1/16');
    assert.deepEqual(d.defaultAddressPools, [{ base: '172.29.0.0/16', size: 24 }]);
    const file = join(dir, 'daemon.json');
    writeFileSync(file, JSON.stringify({ bridge: 'bx0', bip: '10.99.0.1/24', 'default-address-pools': [{ base: '10.100.0.0/16', size: 26 }] }));
    const f = parseDaemonArgs(['--config-file', file]);
    assert.deepEqual([f.bridgeName, f.bip, f.defaultAddressPools], ['bx0', '10.99.0.1/24', [{ base: '10.100.0.0/16', size: 26 }]]);
    const g = parseDaemonArgs(['--config-file', file, '-b', 'by0', '--bip', '10.98.0.1/24', '--default-address-pool', 'base=10.97.0.0/16,size=24']);
    assert.deepEqual([g.bridgeName, g.bip, g.defaultAddressPools], ['by0', '10.98.0.1/24', [{ base: '10.97.0.0/16', size: 24 }]]);
    assert.throws(() => parseDaemonArgs(['--config-file', none, '--default-address-pool', 'size=24']), /invalid default address pool/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
