// `berth registry serve` and `berth registry gc`: the built-in OCI Distribution registry, run without berthd.
import type { VerbSpec } from '../command.js';
import { ExitError, writeAsync } from '../command.js';
import { UsageError } from '../flags.js';
import { RegistryStorage } from '../../registry/server/storage/registry-storage.js';
import { collectGarbage } from '../../registry/server/storage/gc.js';
import { createRegistryServer, listen } from '../../registry/server/server.js';
import { Htpasswd } from '../../registry/server/handlers/auth.js';

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
  async run(ctx, flags) {
    const root = flags.string('root');
    if (!root) throw new UsageError('flag --root is required');
    const cert = flags.string('tls-cert');
    const key = flags.string('tls-key');
    if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
    const htpasswdFile = flags.string('htpasswd');
    const auth = htpasswdFile ? new Htpasswd(htpasswdFile, flags.string('realm')) : undefined;
    if (auth && auth.size === 0) throw new ExitError(`${ctx.prog}: ${htpasswdFile} has no bcrypt entries (create them with \`htpasswd -B\`)`);
    const storage = new RegistryStorage({ root });
    const server = createRegistryServer({ storage, auth, tls: cert && key ? { cert, key } : undefined });
    let bound;
    try {
      bound = await listen(server, flags.string('addr') ?? '127.0.0.1:5000');
    } catch (err) {
      throw new ExitError(`${ctx.prog}: cannot listen: ${(err as Error).message}`);
    }
    const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
    await writeAsync(ctx.stdout, `Registry listening on ${cert ? 'https' : 'http'}://${host}:${bound.port} (root ${root})\n`);
    await new Promise<void>((resolve) => {
      const stop = () => { server.close(() => resolve()); server.closeAllConnections(); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
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
  async run(ctx, flags) {
    const root = flags.string('root');
    if (!root) throw new UsageError('flag --root is required');
    const dryRun = flags.bool('dry-run');
    const storage = new RegistryStorage({ root });
    const verb = dryRun ? 'would delete' : 'deleted';
    const res = await collectGarbage(storage, {
      dryRun,
      deleteUntagged: flags.bool('delete-untagged'),
      onDelete: (digest) => { ctx.stdout.write(`${verb} blob ${digest}\n`); },
      onDeleteManifest: (repo, digest) => { ctx.stdout.write(`${verb} manifest ${repo}@${digest}\n`); },
    });
    await writeAsync(ctx.stdout, `${res.marked} blobs marked, ${res.deleted.length} blobs ${dryRun ? 'eligible for deletion' : 'deleted'} (${res.bytes} bytes), ${res.manifestsDeleted} manifests, ${res.uploadsDeleted} abandoned uploads\n`);
    return 0;
  },
};
