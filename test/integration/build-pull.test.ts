// FROM images from a registry: Debian's docker-registry (htpasswd) on 127.0.0.1, the real docker CLI logged
// in (its X-Registry-Config carries the credentials). A base image that is not here is pulled with its
// progress in the build stream; without --pull a local image is used as it is; --pull fetches the newer one.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon, type RunResult } from '../helpers/daemon.js';
import { startRegistry, REGISTRY_BIN, type TestRegistry } from '../helpers/registry.js';

const skip = !existsSync(REGISTRY_BIN) ? `${REGISTRY_BIN} is missing (apt-get install docker-registry)` : false;
if (skip) console.log(`# skipping build --pull tests: ${skip}`);

const ok = (r: RunResult): string => { assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`); return r.stdout; };
const short = (id: string) => id.trim().replace(/^sha256:/, '').slice(0, 12);

describe('build: FROM pulled from a registry', { skip }, () => {
  let d: TestDaemon;
  let reg: TestRegistry;
  const work = mkdtempSync(join(tmpdir(), 'berth-buildpull-'));
  let base = '';
  let v1 = '';
  let v2 = '';

  before(async () => {
    reg = await startRegistry({ htpasswd: { bob: 'pa55' } });
    d = await startDaemon();
    base = `${reg.addr}/team/base:1`;
    ok(d.docker(['login', '-u', 'bob', '--password-stdin', reg.addr], { input: 'pa55\n' }));
    v1 = ok(d.docker(['image', 'inspect', '-f', '{{.Id}}', 'busybox:latest'])).trim();
    ok(d.docker(['tag', 'busybox:latest', base]));
    ok(d.docker(['push', base]));
    ok(d.docker(['rmi', base]));
    writeFileSync(join(work, 'Dockerfile'), `FROM ${base}\nLABEL built=from-registry\n`);
  });
  after(async () => {
    await d?.stop();
    await reg?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('a FROM image that is not here is pulled, with its progress in the build output', () => {
    const out = ok(d.docker(['build', '-t', 'pulled:1', work]));
    assert.match(out, new RegExp(`Step 1/2 : FROM ${base.replace(/[.]/g, '\\.')}\\n1: Pulling from team/base\\n`));
    assert.match(out, /: (Already exists|Pull complete)\n/);
    assert.match(out, new RegExp(`Status: Downloaded newer image for ${base.replace(/[.]/g, '\\.')}\\n ---> ${short(v1)}\\n`));
    assert.equal(ok(d.docker(['image', 'inspect', '-f', '{{.Id}}', base])).trim(), v1);
  });

  test('without --pull the local image is used; --pull fetches the newer one from the registry', () => {
    // The registry gets a newer base:1 while the local tag stays on the old one.
    writeFileSync(join(work, 'Dockerfile.v2'), 'FROM busybox:latest\nLABEL base=v2\n');
    ok(d.docker(['build', '-f', join(work, 'Dockerfile.v2'), '-t', base, work]));
    v2 = ok(d.docker(['image', 'inspect', '-f', '{{.Id}}', base])).trim();
    assert.notEqual(v2, v1);
    ok(d.docker(['push', base]));
    ok(d.docker(['tag', v1, base]));

    const local = ok(d.docker(['build', work]));
    assert.doesNotMatch(local, /Pulling from/);
    assert.match(local, new RegExp(`FROM ${base.replace(/[.]/g, '\\.')}\\n ---> ${short(v1)}\\n`));

    const pulled = ok(d.docker(['build', '--pull', work]));
    assert.match(pulled, /1: Pulling from team\/base\n/);
    assert.match(pulled, new RegExp(`Status: Downloaded newer image for ${base.replace(/[.]/g, '\\.')}\\n ---> ${short(v2)}\\n`));

    const again = ok(d.docker(['build', '--pull', work]));
    assert.match(again, new RegExp(`Status: Image is up to date for ${base.replace(/[.]/g, '\\.')}\\n ---> ${short(v2)}\\n`));
    assert.match(again, /Using cache/);
  });

  test('a FROM image the registry does not have fails the build with the registry\'s answer', () => {
    writeFileSync(join(work, 'Dockerfile.missing'), `FROM ${reg.addr}/team/nothing:1\n`);
    const r = d.docker(['build', '-f', join(work, 'Dockerfile.missing'), work]);
    assert.equal(r.code, 1);
    assert.match(r.stderr + r.stdout, /manifest unknown|not found/i);
  });
});
