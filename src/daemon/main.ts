// berthd entry point: parse flags, open the engine (recovering containers that outlived a previous
// berthd), serve the API, and shut down cleanly on SIGINT/SIGTERM. Containers keep running: each is
// owned by its conmon, not by berthd.
import type { Server } from 'node:net';
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkTraversable, remappedRoot, resolveRemap } from '../runtime/userns/remap.js';
import { HelpRequested, parseDaemonArgs } from './config.js';
import { Engine } from '../engine/engine.js';
import { buildRouter } from '../api/routes/index.js';
import { openListeners } from './listeners.js';
import { engineOptions } from './wiring.js';
import { log, setLogLevel } from '../util/log.js';
import { errorMessage } from '../errors.js';
import { openEmbeddedRegistry } from '../registry/server/embedded.js';

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = parseDaemonArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof HelpRequested) { process.stdout.write(err.usage); process.exit(0); }
    process.stderr.write(`berthd: ${errorMessage(err)}\n`);
    process.exit(125);
  }
  setLogLevel(cfg.logLevel);
  // Last resort: a stray rejection or exception (a bug) is logged and berthd keeps serving everyone else.
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', { err: String(err), stack: (err as Error)?.stack }));
  process.on('uncaughtException', (err) => log.error('uncaught exception', { err: String(err), stack: err.stack }));
  if (process.getuid && process.getuid() !== 0) {
    process.stderr.write('berthd: must run as root\n');
    process.exit(1);
  }
  let userns;
  if (cfg.usernsRemap) {
    try {
      userns = await resolveRemap(cfg.usernsRemap);
      await mkdir(join(cfg.execRoot, 'idmap'), { recursive: true, mode: 0o711 });
      checkTraversable(join(cfg.execRoot, 'idmap'), (p) => { try { return statSync(p); } catch { return undefined; } }, remappedRoot(userns));
    } catch (err) {
      process.stderr.write(`berthd: ${errorMessage(err)}\n`);
      process.exit(1);
    }
    log.info(`User namespaces: ID ranges will be mapped to subuid/subgid ranges of: ${userns.remap}`);
  }
  const engine = new Engine(engineOptions(cfg, userns));
  // Before init: the registry claims its blobs in the shared content store before anything collects garbage.
  const registry = cfg.registryServer
    ? await openEmbeddedRegistry(cfg.registryServer, {
      dataRoot: cfg.dataRoot,
      imageRoot: engine.images.root,
      addBlobKeeper: (k) => engine.images.addBlobKeeper(k),
      localImages: {
        lookup: (ref) => {
          const id = engine.images.store.refTarget(ref);
          const rec = id === undefined ? undefined : engine.images.store.record(id);
          return rec && { id: rec.id, diffIds: rec.config.rootfs.diff_ids };
        },
        refs: () => engine.images.store.records().flatMap((r) => r.repoTags),
      },
    })
    : undefined;
  await engine.init();
  const router = buildRouter(engine);
  const servers: Server[] = await openListeners(cfg, router);
  log.info('API listen on ' + cfg.hosts.join(', '), { dataRoot: cfg.dataRoot, execRoot: cfg.execRoot });
  if (registry) {
    const bound = await registry.start();
    log.info(`registry server listening on ${bound.address}:${bound.port}`);
  }
  engine.events.publish('daemon', 'start', engine.instanceId, { name: 'berthd' });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`received ${signal}, shutting down; containers keep running`);
    for (const s of servers) s.close();
    void registry?.close();
    // Streams (events, logs -f, attach) would hold close() open; they end with the process. Pooled
    // network namespaces and background teardowns are finished first (bounded).
    void engine.networks.shutdown(10_000).finally(() => setTimeout(() => process.exit(0), 200).unref());
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`berthd: ${errorMessage(err)}\n`);
  if (process.env.BERTH_DEBUG) process.stderr.write(String((err as Error)?.stack) + '\n');
  process.exit(1);
});
