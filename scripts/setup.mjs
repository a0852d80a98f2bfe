#!/usr/bin/env node
// One set-up step shared by `npm start`, `npm test` and `npm run bench`: installs what is missing
// (Debian packages, npm packages), builds the TypeScript, and puts `berth` on PATH. Idempotent and quiet
// when nothing is missing, so it can run before every start.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync, symlinkSync, unlinkSync, lstatSync, readlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const extra = process.argv.slice(2).filter((a) => a.startsWith('--with=')).flatMap((a) => a.slice(7).split(','));

// Debian packages Berth drives at run time: the OCI runtimes, the monitor, the busybox that seeds the
// offline `busybox` image, setfattr for overlay opaque dirs, ps for `top`, ip for namespaces.
const debs = [
  ['runc', '/usr/sbin/runc'],
  ['crun', '/usr/bin/crun'],
  ['conmon', '/usr/bin/conmon'],
  // --init: Docker's docker-init is tini; the static build runs in images without a libc.
  ['tini', '/usr/bin/tini-static'],
  ['busybox-static', '/bin/busybox'],
  ['attr', '/usr/bin/setfattr'],
  ['procps', '/bin/ps'],
  ['iproute2', '/sbin/ip'],
  // conmon's attach socket is SOCK_SEQPACKET, which Node cannot open: a small python3 helper feeds stdin.
  ['python3-minimal', '/usr/bin/python3'],
  // Container networking: netavark sets up bridges, veths, firewall rules; aardvark-dns resolves names.
  ['netavark', '/usr/lib/podman/netavark'],
  ['aardvark-dns', '/usr/lib/podman/aardvark-dns'],
  ['iptables', '/usr/sbin/iptables'],
  // Fidelity tests drive berthd with the Python SDK, as real tools do.
  ['python3-docker', '/usr/lib/python3/dist-packages/docker'],
  // A registry client no one here wrote: the registry server's tests copy images in and out with it.
  ['skopeo', '/usr/bin/skopeo'],
  // The reference Docker that tests compare Berth with start their own dockerd (test/helpers/ref-dockerd.ts).
  ['docker.io', '/usr/sbin/dockerd'],
  // The compose integration test drives Debian's docker-compose 1.29 (python) against berthd.
  ['docker-compose', '/usr/bin/docker-compose'],
  ...extra.map((name) => [name, null]),
];

function log(msg) { process.stderr.write(`setup: ${msg}\n`); }

function debInstalled(name, probe) {
  if (probe && existsSync(probe)) {
    if (name !== 'busybox-static') return true;
    // /bin/busybox may be the dynamic busybox; the image needs the static one.
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return r.status === 0 && r.stdout.includes('install ok installed');
  }
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

const missing = debs.filter(([name, probe]) => !debInstalled(name, probe)).map(([name]) => name);
if (missing.length > 0) {
  if (process.getuid && process.getuid() !== 0) {
    log(`missing Debian packages: ${missing.join(' ')} (run as root to install them)`);
    process.exit(1);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  let r = run(['install', '-y', '-q', '--no-install-recommends', ...missing]);
  if (r.status !== 0) {
    run(['update', '-q']);
    r = run(['install', '-y', '-q', '--no-install-recommends', ...missing]);
  }
  if (r.status !== 0) { log('apt-get install failed'); process.exit(1); }
}

// npm packages: install when node_modules is missing or older than the manifest.
const nm = join(root, 'node_modules');
const lock = join(root, 'package-lock.json');
const stamp = join(nm, '.package-lock.json');
if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(lock).mtimeMs - 1000) {
  log('installing npm packages');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

// Build.
execFileSync(process.execPath, [join(nm, 'typescript', 'bin', 'tsc'), '-p', root], { cwd: root, stdio: 'inherit' });

// `berth` and `berthd` on PATH, as a user expects after set-up.
if (process.getuid && process.getuid() === 0) {
  for (const name of ['berth', 'berthd']) {
    const link = `/usr/local/bin/${name}`;
    const target = join(root, 'bin', name);
    try {
      if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === target) continue;
      unlinkSync(link);
    } catch { /* absent */ }
    try { symlinkSync(target, link); } catch (err) { log(`could not link ${link}: ${err.message}`); }
  }
}
