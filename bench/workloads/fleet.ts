// Workloads 2, 3 and 4 share one fixture, a fleet of 100 running containers, built once per round:
//   idle memory → start 100 `sleep` containers from 10 concurrent docker clients (wall time) → memory with
//   100 running → `docker ps -a` and GET /containers/json?all=1 at 100 → 900 more created
//   containers through the API, list at 1000, remove the 900 → remove the 100 (10 clients, `rm -f`).
// Memory counts the engine's processes only (see lib/memory.ts), never the `sleep`s. The fleet runs on each
// engine's default bridge; a second, lighter pass starts and removes 100 with `--network none` beside it.
import { check, pool, sleep } from '../lib/proc.js';
import { apiError } from '../lib/api.js';
import { describeProcesses } from '../lib/memory.js';
import type { BenchEngine } from '../engines/engine.js';
import { interleave, netArgs, netLabel, reasonOf, type BenchContext, type NetMode, type Workload } from './types.js';

const FLEET = 100;
const CLIENTS = 10;
const LIST_TOTAL = 1000;
const LIST_REPS = 5;

export const fleet: Workload = {
  keys: ['start', 'memory', 'ps', 'fleet'],
  title: '100 containers: start, memory, list, remove',
  metrics: [
    { id: 'start100', label: `start ${FLEET} × run -d sleep, ${CLIENTS} clients ${netLabel('bridge')}`, unit: 's', maxRatio: 0.3, targetText: '≤ 0.3×' },
    { id: 'start100-none', label: `start ${FLEET} × run -d sleep, ${CLIENTS} clients ${netLabel('none')}`, unit: 's' },
    { id: 'rm100', label: `remove ${FLEET} running (rm -f, ${CLIENTS} clients) ${netLabel('bridge')}`, unit: 's' },
    { id: 'rm100-none', label: `remove ${FLEET} running (rm -f, ${CLIENTS} clients) ${netLabel('none')}`, unit: 's' },
    { id: 'ps100-cli', label: `docker ps -a, ${FLEET} containers`, unit: 's' },
    { id: 'ps100-api', label: `GET /containers/json?all=1, ${FLEET}`, unit: 'ms' },
    { id: 'ps1000-cli', label: `docker ps -a, ${LIST_TOTAL} containers`, unit: 's', maxRatio: 1, targetText: '≤ 1×' },
    { id: 'ps1000-api', label: `GET /containers/json?all=1, ${LIST_TOTAL}`, unit: 'ms', maxRatio: 1, targetText: '≤ 1×' },
    { id: 'mem-idle-rss', label: 'engine memory idle, RSS sum', unit: 'MB' },
    { id: 'mem-idle-pss', label: 'engine memory idle, PSS sum', unit: 'MB' },
    { id: 'mem100-rss', label: `engine memory, ${FLEET} running, RSS sum ${netLabel('bridge')}`, unit: 'MB', maxRatio: 0.2, targetText: '≤ 0.2×' },
    { id: 'mem100-pss', label: `engine memory, ${FLEET} running, PSS sum ${netLabel('bridge')}`, unit: 'MB', maxRatio: 0.2, targetText: '≤ 0.2×' },
  ],
  rounds: (requested) => Math.min(requested, 3),
  async run(ctx) {
    const rounds = this.rounds!(ctx.rounds);
    await interleave(ctx, rounds, fleet.metrics.map((m) => m.id), async (engine, round) => {
      try {
        await fleetRound(ctx, engine, round);
        await engine.removeAllContainers();
        await startAndRemove(ctx, engine, 'none');
      } finally {
        await engine.removeAllContainers().catch(() => 0);
      }
    });
  },
};

async function fleetRound(ctx: BenchContext, engine: BenchEngine, round: number): Promise<void> {
  const rec = ctx.rec;
  await engine.removeAllContainers();
  await sleep(1000);
  const idle = engine.memory();
  rec.record('mem-idle-rss', engine.name, idle.rssMB);
  rec.record('mem-idle-pss', engine.name, idle.pssMB);
  if (round === 0) rec.note('mem-idle-rss', `${engine.name} idle (fresh; later rounds follow 1000 containers, hence the spread): ${describeProcesses(idle)}`);

  const ids = await startFleet(ctx, engine, 'bridge');

  const running = await engine.api('GET', '/containers/json');
  const runningCount = running.status === 200 ? (JSON.parse(running.body) as unknown[]).length : -1;
  if (runningCount !== FLEET) rec.note('start100', `${engine.name}: ${runningCount} of ${FLEET} running after start`);

  await sleep(2000);
  const loaded = engine.memory();
  rec.record('mem100-rss', engine.name, loaded.rssMB);
  rec.record('mem100-pss', engine.name, loaded.pssMB);
  if (round === 0) rec.note('mem100-rss', `${engine.name} with ${FLEET}: ${describeProcesses(loaded)}`);

  await measureList(engine, ctx, 'ps100', FLEET);
  // Every round, not just one: a shared machine's load shifts between rounds, and this row has a target.
  try {
    await listAtThousand(engine, ctx);
  } catch (err) {
    for (const id of ['ps1000-cli', 'ps1000-api']) rec.skip(id, engine.name, reasonOf(err));
  }

  await removeFleet(ctx, engine, ids, 'rm100');
}

/** 10 clients, each starting 10 containers one after the other; records the wall time. */
async function startFleet(ctx: BenchContext, engine: BenchEngine, mode: NetMode): Promise<string[]> {
  const ids: string[] = [];
  const started = performance.now();
  await pool(Array.from({ length: CLIENTS }, (_, i) => i), CLIENTS, async () => {
    for (let j = 0; j < FLEET / CLIENTS; j++) {
      const r = check(await engine.docker(['run', '-d', ...netArgs(mode), engine.image, 'sleep', '3600'], { timeoutMs: 120_000 }), 'run -d');
      ids.push(r.stdout.trim());
    }
  });
  const s = (performance.now() - started) / 1000;
  ctx.rec.record(mode === 'none' ? 'start100-none' : 'start100', engine.name, s);
  ctx.log(`  ${engine.name}: ${FLEET} started ${netLabel(mode)} in ${s.toFixed(1)} s`);
  return ids;
}

async function removeFleet(ctx: BenchContext, engine: BenchEngine, ids: string[], metric: string): Promise<void> {
  const removing = performance.now();
  const groups = Array.from({ length: CLIENTS }, (_, i) => ids.slice(i * (FLEET / CLIENTS), (i + 1) * (FLEET / CLIENTS)));
  await pool(groups, CLIENTS, async (group) => { check(await engine.docker(['rm', '-f', ...group], { timeoutMs: 120_000 }), 'rm -f'); });
  ctx.rec.record(metric, engine.name, (performance.now() - removing) / 1000);
}

/** The same start and removal with `--network none`: what the network step costs, beside it. */
async function startAndRemove(ctx: BenchContext, engine: BenchEngine, mode: NetMode): Promise<void> {
  const ids = await startFleet(ctx, engine, mode);
  await removeFleet(ctx, engine, ids, 'rm100-none');
}

async function measureList(engine: BenchEngine, ctx: BenchContext, prefix: string, expected: number): Promise<void> {
  for (let i = 0; i < LIST_REPS; i++) {
    const cli = check(await engine.docker(['ps', '-a'], { timeoutMs: 60_000 }), 'ps -a');
    const seen = cli.stdout.split('\n').filter(Boolean).length - 1; // minus the header row
    if (seen !== expected) throw new Error(`ps -a listed ${seen}, expected ${expected}`);
    ctx.rec.record(`${prefix}-cli`, engine.name, cli.ms / 1000);
    const api = await engine.api('GET', '/containers/json?all=1', undefined, 60_000);
    if (api.status !== 200) throw new Error(`GET /containers/json: ${apiError(api)}`);
    ctx.rec.record(`${prefix}-api`, engine.name, api.ms);
  }
}

async function listAtThousand(engine: BenchEngine, ctx: BenchContext): Promise<void> {
  const extra = LIST_TOTAL - FLEET;
  const created: string[] = [];
  const t0 = performance.now();
  try {
    await pool(Array.from({ length: extra }, (_, i) => i), CLIENTS, async () => {
      const r = await engine.api('POST', '/containers/create', { Image: engine.image, Cmd: ['true'] }, 60_000);
      if (r.status !== 201) throw new Error(`create: ${apiError(r)}`);
      created.push((JSON.parse(r.body) as { Id: string }).Id);
    });
    ctx.log(`  ${engine.name}: ${extra} created in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await measureList(engine, ctx, 'ps1000', LIST_TOTAL);
  } finally {
    const t1 = performance.now();
    await pool(created, CLIENTS, (id) => engine.api('DELETE', `/containers/${id}?force=1`, undefined, 60_000).catch(() => undefined));
    ctx.log(`  ${engine.name}: ${created.length} removed in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  }
}
