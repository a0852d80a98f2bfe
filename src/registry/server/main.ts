// Entry point of the standalone registry (`berth registry serve|gc` runs it as its own process: the CLI is a
// client and does not link the server). argv: `serve|gc <options as JSON>`, already checked by the CLI verb.
import { RegistryStorage } from './storage/registry-storage.js';
import { collectGarbage } from './storage/gc.js';
import { createRegistryServer, listen } from './server.js';
import { Htpasswd } from './handlers/auth.js';
import { errorMessage } from '../../errors.js';

export interface ServeOptions { root: string; addr: string; htpasswd?: string; realm?: string; tlsCert?: string; tlsKey?: string }
export interface GcCommandOptions { root: string; dryRun: boolean; deleteUntagged: boolean }

function write(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}

async function serve(o: ServeOptions): Promise<number> {
  const auth = o.htpasswd ? new Htpasswd(o.htpasswd, o.realm) : undefined;
  if (auth && auth.size === 0) throw new Error(`${o.htpasswd} has no bcrypt entries (create them with \`htpasswd -B\`)`);
  const storage = new RegistryStorage({ root: o.root });
  const server = createRegistryServer({ storage, auth, tls: o.tlsCert && o.tlsKey ? { cert: o.tlsCert, key: o.tlsKey } : undefined });
  let bound;
  try {
    bound = await listen(server, o.addr);
  } catch (err) {
    throw new Error(`cannot listen: ${errorMessage(err)}`);
  }
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  await write(`Registry listening on ${o.tlsCert ? 'https' : 'http'}://${host}:${bound.port} (root ${o.root})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => { server.close(() => resolve()); server.closeAllConnections(); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Run by `berth registry serve`, whose end closes our stdin (see src/cli/verbs/registry-serve.ts).
    if (process.env.BERTH_REGISTRY_PARENT_PIPE === '1') {
      process.stdin.on('end', stop).on('error', stop).resume();
    }
  });
  return 0;
}

async function gc(o: GcCommandOptions): Promise<number> {
  const verb = o.dryRun ? 'would delete' : 'deleted';
  const res = await collectGarbage(new RegistryStorage({ root: o.root }), {
    dryRun: o.dryRun,
    deleteUntagged: o.deleteUntagged,
    onDelete: (digest) => { process.stdout.write(`${verb} blob ${digest}\n`); },
    onDeleteManifest: (repo, digest) => { process.stdout.write(`${verb} manifest ${repo}@${digest}\n`); },
  });
  await write(`${res.marked} blobs marked, ${res.deleted.length} blobs ${o.dryRun ? 'eligible for deletion' : 'deleted'} (${res.bytes} bytes), ${res.manifestsDeleted} manifests, ${res.uploadsDeleted} abandoned uploads\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, json] = argv;
  const opts = JSON.parse(json ?? '{}') as unknown;
  if (command === 'serve') return serve(opts as ServeOptions);
  if (command === 'gc') return gc(opts as GcCommandOptions);
  throw new Error(`unknown registry command ${JSON.stringify(command)}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => { process.stderr.write(`berth: ${errorMessage(err)}\n`); process.exit(1); },
);
