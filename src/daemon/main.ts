// berthd entry point: parse flags, open the engine (recovering containers that outlived a previous
// berthd), serve the API, and shut down cleanly on SIGINT/SIGTERM. Containers keep running: each is
// owned by its conmon, not by berthd.
import type { Server } from 'node:net';
import { HelpRequested, parseDaemonArgs } from './config.js';
import { Engine } from '../engine/engine.js';
import { buildRouter } from '../api/routes/index.js';
import { openListeners } from './listeners.js';
import { engineOptions } from './wiring.js';
import { log, setLogLevel } from '../util/log.js';
import { errorMessage } from '../errors.js';

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
  if (process.getuid && process.getuid() !== 0) {
    process.stderr.write('berthd: must run as root\n');
    process.exit(1);
  }
  const engine = new Engine(engineOptions(cfg));
  await engine.init();
  const router = buildRouter(engine);
  const servers: Server[] = await openListeners(cfg, router);
  log.info('API listen on ' + cfg.hosts.join(', '), { dataRoot: cfg.dataRoot, execRoot: cfg.execRoot });
  engine.events.publish('daemon', 'start', engine.instanceId, { name: 'berthd' });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`received ${signal}, shutting down; containers keep running`);
    for (const s of servers) s.close();
    // Streams (events, logs -f, attach) would hold close() open; they end with the process.
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`berthd: ${errorMessage(err)}\n`);
  if (process.env.BERTH_DEBUG) process.stderr.write(String((err as Error)?.stack) + '\n');
  process.exit(1);
});
