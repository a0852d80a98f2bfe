// Workload 1: `docker run --rm busybox true`, end to end through the docker CLI (create, attach, start,
// wait, remove), several times per round after one untimed warm-up per engine.
import { check } from '../lib/proc.js';
import { interleave, type Workload } from './types.js';

const REPS_PER_ROUND = 4;

export const runLatency: Workload = {
  keys: ['run'],
  title: 'docker run --rm busybox true',
  metrics: [{ id: 'run', label: 'docker run --rm busybox true', unit: 's', maxRatio: 0.25, targetText: '≤ 0.25×' }],
  async run(ctx) {
    const warmed = new Set<string>();
    await interleave(ctx, ctx.rounds, ['run'], async (engine) => {
      const args = ['run', '--rm', '--network', 'none', engine.image, 'true'];
      if (!warmed.has(engine.name)) { check(await engine.docker(args, { timeoutMs: 60_000 }), 'run'); warmed.add(engine.name); }
      for (let i = 0; i < REPS_PER_ROUND; i++) {
        const r = check(await engine.docker(args, { timeoutMs: 30_000 }), 'run');
        ctx.rec.record('run', engine.name, r.ms / 1000);
      }
    });
  },
};
