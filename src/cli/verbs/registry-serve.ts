// `berth registry serve` and `berth registry gc`: the built-in OCI Distribution registry, run without berthd.
// The CLI is a client and links no server code: it checks the flags and runs the registry's own entry point
// (src/registry/server/main.ts) as a child with the same stdio, forwarding SIGINT/SIGTERM to it.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { VerbSpec } from '../command.js';
import { UsageError } from '../flags.js';

const ENTRY = fileURLToPath(new URL('../../registry/server/main.js', import.meta.url));

function runEntry(command: 'serve' | 'gc', options: Record<string, unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    // stdin is a pipe only we hold: when this process dies (even by SIGKILL) it closes and the server stops.
    const child = spawn(process.execPath, [ENTRY, command, JSON.stringify(options)], {
      stdio: ['pipe', 'inherit', 'inherit'],
      env: { ...process.env, BERTH_REGISTRY_PARENT_PIPE: '1' },
    });
    const forward = (sig: NodeJS.Signals) => () => { child.kill(sig); };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

export const registryServeVerb: VerbSpec = {
  usage: 'serve [OPTIONS]',
  summary: 'Serve an OCI Distribution registry from a directory',
  flags: [
    { long: 'addr', kind: 'string', help: 'Address to listen on, HOST:PORT', defaultText: '"127.0.0.1:5000"' },
    { long: 'root', kind: 'string', help: 'Directory holding the registry\'s blobs and repositories (required)' },
    { long: 'htpasswd', kind: 'string', help: 'Require Basic auth against this htpasswd file (bcrypt entries)' },
    { long: 'realm', kind: 'string', help: 'Realm named in the Basic auth challenge', defaultText: '"Berth Registry"' },
    { long: 'tls-cert', kind: 'string', help: 'Serve HTTPS with this certificate (PEM)' },
    { long: 'tls-key', kind: 'string', help: 'Private key of --tls-cert (PEM)' },
  ],
  args: { max: 0 },
  async run(_ctx, flags) {
    const root = flags.string('root');
    if (!root) throw new UsageError('flag --root is required');
    const tlsCert = flags.string('tls-cert');
    const tlsKey = flags.string('tls-key');
    if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
    return runEntry('serve', {
      root, addr: flags.string('addr') ?? '127.0.0.1:5000',
      htpasswd: flags.string('htpasswd'), realm: flags.string('realm'), tlsCert, tlsKey,
    });
  },
};

export const registryGcVerb: VerbSpec = {
  usage: 'gc [OPTIONS]',
  summary: 'Delete blobs no manifest in the registry refers to',
  flags: [
    { long: 'root', kind: 'string', help: 'Registry directory (as given to serve; required)' },
    { long: 'dry-run', short: 'd', kind: 'bool', help: 'Only print what would be deleted' },
    { long: 'delete-untagged', short: 'm', kind: 'bool', help: 'Also delete manifests that no tag refers to' },
  ],
  args: { max: 0 },
  async run(_ctx, flags) {
    const root = flags.string('root');
    if (!root) throw new UsageError('flag --root is required');
    return runEntry('gc', { root, dryRun: flags.bool('dry-run'), deleteUntagged: flags.bool('delete-untagged') });
  },
};
