// Workload 1: `docker run --rm busybox true`, end to end through the docker CLI (create, attach, start,
// wait, remove), several times per round after one untimed warm-up per engine — on each engine's default
// bridge (what users run) and with `--network none` (the same without the network step), alternately.
import { check } from '../lib/proc.js';
import { interleave, NET_MODES, netArgs, netLabel, type Workload } from './types.js';

const REPS_PER_ROUND = 4;

export const runLatency: Workload = {
  keys: ['run'],
  title: 'docker run --rm busybox true (default bridge, --network none)',
  metrics: [
    { id: 'run', label: `docker run --rm busybox true ${netLabel('bridge')}`, unit: 's', maxRatio: 0.25, targetText: '≤ 0.25×' },
    { id: 'run-none', label: `docker run --rm busybox true ${netLabel('none')}`, unit: 's', maxRatio: 0.2, targetText: '≤ 0.2×' },
  ],
  async run(ctx) {
    const warmed = new Set<string>();
    await interleave(ctx, ctx.rounds, ['run', 'run-none'], async (engine) => {
      const argsOf = (mode: 'bridge' | 'none') => ['run', '--rm', ...netArgs(mode), engine.image, 'true'];
      if (!warmed.has(engine.name)) {
        for (const mode of NET_MODES) check(await engine.docker(argsOf(mode), { timeoutMs: 60_000 }), 'run');
        warmed.add(engine.name);
      }
      for (let i = 0; i < REPS_PER_ROUND; i++) {
        for (const mode of NET_MODES) {
          const r = check(await engine.docker(argsOf(mode), { timeoutMs: 30_000 }), `run ${netLabel(mode)}`);
          ctx.rec.record(mode === 'none' ? 'run-none' : 'run', engine.name, r.ms / 1000);
        }
      }
    });
  },
};
