// Where the time of `docker run --rm` goes: the same life cycle as separate raw API calls (create,
// start, wait for exit, delete), timed one by one on both engines. This is the breakdown a "run latency
// missed" verdict is read with; the CLI's own overhead is the rest of the `docker run` row. On the default
// bridge, as the `docker run` row.
import { apiError } from '../lib/api.js';
import { interleave, netHostConfig, netLabel, type Workload } from './types.js';

const REPS_PER_ROUND = 4;
const STEPS = ['create', 'start', 'wait', 'delete'] as const;

export const runSteps: Workload = {
  keys: ['run', 'steps'],
  title: 'run life cycle, step by step (API)',
  metrics: STEPS.map((s) => ({
    id: `step-${s}`,
    label: (s === 'wait' ? 'API POST /wait (start→exit of `true`)' : `API ${s === 'delete' ? 'DELETE /containers/{id}' : `POST /containers/${s === 'create' ? 'create' : '{id}/start'}`}`) + ` ${netLabel('bridge')}`,
    unit: 'ms' as const,
  })),
  async run(ctx) {
    await interleave(ctx, ctx.rounds, STEPS.map((s) => `step-${s}`), async (engine) => {
      for (let i = 0; i < REPS_PER_ROUND; i++) {
        const create = await engine.api('POST', '/containers/create', { Image: engine.image, Cmd: ['true'], HostConfig: netHostConfig('bridge') }, 30_000);
        if (create.status !== 201) throw new Error(`create: ${apiError(create)}`);
        const id = (JSON.parse(create.body) as { Id: string }).Id;
        try {
          // The CLI asks to wait before it starts (so it cannot miss the exit); do the same.
          const waiting = engine.api('POST', `/containers/${id}/wait?condition=next-exit`, undefined, 30_000);
          const start = await engine.api('POST', `/containers/${id}/start`, undefined, 30_000);
          if (start.status !== 204) throw new Error(`start: ${apiError(start)}`);
          const startedAt = performance.now();
          const wait = await waiting;
          if (wait.status !== 200) throw new Error(`wait: ${apiError(wait)}`);
          const del = await engine.api('DELETE', `/containers/${id}`, undefined, 30_000);
          if (del.status !== 204) throw new Error(`delete: ${apiError(del)}`);
          ctx.rec.record('step-create', engine.name, create.ms);
          ctx.rec.record('step-start', engine.name, start.ms);
          ctx.rec.record('step-wait', engine.name, performance.now() - startedAt);
          ctx.rec.record('step-delete', engine.name, del.ms);
        } catch (err) {
          await engine.api('DELETE', `/containers/${id}?force=1`, undefined, 30_000).catch(() => undefined);
          throw err;
        }
      }
    });
  },
};
