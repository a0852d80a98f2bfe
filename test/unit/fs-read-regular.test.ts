import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileInRoot, readRegularFile, readTextInRoot } from '../../src/fs/read-regular.js';
import { isBerthError } from '../../src/errors.js';

test('reads regular files, bounded; refuses FIFOs, devices, symlinks and big files without blocking', async () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-fs-'));
  try {
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    execFileSync('mkfifo', [join(root, 'etc/fifo')]);
    symlinkSync('/dev/zero', join(root, 'etc/zero'));
    writeFileSync(join(root, 'big'), Buffer.alloc(2048));
    assert.equal((await readRegularFile(join(root, 'etc/passwd')))?.toString(), 'root:x:0:0::/root:/bin/sh\n');
    assert.equal(await readRegularFile(join(root, 'etc/missing')), undefined);
    await assert.rejects(readRegularFile(join(root, 'etc/fifo')), (e) => isBerthError(e, 'invalid-argument'));
    await assert.rejects(readRegularFile('/dev/zero'), (e) => isBerthError(e, 'invalid-argument'));
    await assert.rejects(readRegularFile(join(root, 'etc/zero')), (e) => isBerthError(e, 'invalid-argument'));
    await assert.rejects(readRegularFile(join(root, 'big'), { maxBytes: 1024 }), (e) => isBerthError(e, 'invalid-argument'));
    // Inside a root, the symlink to /dev/zero is re-rooted: <root>/dev/zero does not exist.
    assert.equal(await readFileInRoot(root, '/etc/zero'), undefined);
    assert.equal(await readTextInRoot(root, '/etc/fifo'), undefined);
    assert.match((await readTextInRoot(root, '/../../etc/passwd')) ?? '', /^root:/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
