// Workload 8: Berth's own CLI against berthd versus the docker CLI against dockerd — each client with
// its own engine, so this row measures the whole stack a user picks, client start-up included; on the
// default bridge.
import { existsSync } from 'node:fs';
import { check, runCmd } from '../lib/proc.js';
import { BERTH_CLI_MAIN } from '../engines/berthd.js';
import { interleave, netArgs, netLabel, type Workload } from './types.js';

const REPS_PER_ROUND = 4;

/**
 * The berth CLI's environment. NODE_EXTRA_CA_CERTS (set machine-wide on some hosts) makes every node
 * start-up parse a CA bundle (~70 ms here) that a UNIX-socket client never uses; it is left out so the
 * row measures Berth, not the host's certificate setup.
 */
function cliEnv(host: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BERTH_HOST: host, DOCKER_HOST: host };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

export const berthCli: Workload = {
  keys: ['cli'],
  title: 'berth run vs docker run',
  metrics: [{ id: 'cli', label: `own CLI: berth run --rm / docker run --rm ${netLabel('bridge')}`, unit: 's' }],
  async run(ctx) {
    if (process.env.NODE_EXTRA_CA_CERTS) ctx.rec.note('cli', 'berth CLI run without the host\'s NODE_EXTRA_CA_CERTS (it adds ~70 ms of node start-up here)');
    const warmed = new Set<string>();
    await interleave(ctx, ctx.rounds, ['cli'], async (engine) => {
      const runArgs = ['run', '--rm', ...netArgs('bridge'), engine.image, 'true'];
      const once = async () => {
        if (engine.name === 'docker') return check(await engine.docker(runArgs, { timeoutMs: 30_000 }), 'docker run');
        if (!existsSync(BERTH_CLI_MAIN)) throw new Error(`berth CLI not built (${BERTH_CLI_MAIN} missing)`);
        const env = cliEnv(engine.host);
        return check(await runCmd(process.execPath, [BERTH_CLI_MAIN, '-H', engine.host, ...runArgs], { env, timeoutMs: 30_000 }), 'berth run');
      };
      if (!warmed.has(engine.name)) { await once(); warmed.add(engine.name); }
      for (let i = 0; i < REPS_PER_ROUND; i++) ctx.rec.record('cli', engine.name, (await once()).ms / 1000);
    });
  },
};
