// Workload: density. 1000 `sleep` containers running at once on each engine's default bridge, started by
// 10 concurrent docker clients (wall time), engine memory with all of them running, `docker ps` at 1000
// running, then all removed (10 clients, `rm -f`). One round: it is the heaviest workload by far.
// Afterwards the engine's bridge is checked for leftovers — veths, network namespaces, addresses and
// firewall rules must be back where they were before (the count settles within a bounded wait, since
// Berth tears networks down in the background).
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { check, pool, sleep } from '../lib/proc.js';
import { describeProcesses } from '../lib/memory.js';
import type { BenchEngine } from '../engines/engine.js';
import { interleave, netLabel, type BenchContext, type Workload } from './types.js';

const TOTAL = Math.max(10, Math.min(1000, Number(process.env.BENCH_DENSITY ?? 1000) || 1000));
const CLIENTS = 10;
const PS_REPS = 3;
/** Starting stops after this long (BENCH_DENSITY_LIMIT_S): a loaded machine must not eat the whole budget. */
const START_LIMIT_S = Number(process.env.BENCH_DENSITY_LIMIT_S ?? 300) || 300;

/** What an engine has on the host for its bridge: veths attached, namespaces, firewall rules on its subnet. */
interface HostFootprint { veths: number; netns: number; rules: number }

function footprint(engine: BenchEngine): HostFootprint | undefined {
  const bridge = (engine as { bridge?: { name: string; subnet: string } }).bridge;
  if (!bridge) return undefined;
  const links = spawnSync('ip', ['-j', 'link', 'show', 'master', bridge.name], { encoding: 'utf8', timeout: 10_000 });
  let veths = 0;
  try { veths = (JSON.parse(links.stdout || '[]') as unknown[]).length; } catch { /* no bridge: none */ }
  let netns = 0;
  try { netns = readdirSync('/var/run/netns').length; } catch { /* none */ }
  let rules = 0;
  for (const table of ['filter', 'nat']) {
    const r = spawnSync('iptables', ['-w', '-t', table, '-S'], { encoding: 'utf8', timeout: 10_000 });
    rules += (r.stdout ?? '').split('\n').filter((l) => l.includes(bridge.subnet) || l.includes(` ${bridge.name} `)).length;
  }
  return { veths, netns, rules };
}

const show = (f: HostFootprint) => `${f.veths} veths on the bridge, ${f.netns} netns on the host, ${f.rules} firewall rules on its subnet`;

export const density: Workload = {
  keys: ['density'],
  title: `density: ${TOTAL} containers running ${netLabel('bridge')}`,
  metrics: [
    { id: 'dense-start', label: `start ${TOTAL} × run -d sleep, ${CLIENTS} clients ${netLabel('bridge')}`, unit: 's', maxRatio: 0.3, targetText: '≤ 0.3×' },
    { id: 'dense-mem-rss', label: `engine memory, ${TOTAL} running, RSS sum`, unit: 'MB', maxRatio: 0.2, targetText: '≤ 0.2×' },
    { id: 'dense-mem-pss', label: `engine memory, ${TOTAL} running, PSS sum`, unit: 'MB', maxRatio: 0.2, targetText: '≤ 0.2×' },
    { id: 'dense-ps', label: `docker ps, ${TOTAL} running`, unit: 's' },
    { id: 'dense-rm', label: `remove ${TOTAL} running (rm -f, ${CLIENTS} clients)`, unit: 's' },
  ],
  rounds: () => 1,
  async run(ctx) {
    await interleave(ctx, 1, density.metrics.map((m) => m.id), async (engine) => {
      try {
        await densityRound(ctx, engine);
      } finally {
        await engine.removeAllContainers().catch(() => 0);
      }
    });
  },
};

/** 10 clients, each removing its share with `rm -f` of 50 at a time. */
async function removeAll(engine: BenchEngine, ids: string[], per: number): Promise<void> {
  const groups = Array.from({ length: CLIENTS }, (_, i) => ids.slice(i * per, (i + 1) * per)).filter((g) => g.length);
  await pool(groups, CLIENTS, async (group) => {
    for (let i = 0; i < group.length; i += 50) check(await engine.docker(['rm', '-f', ...group.slice(i, i + 50)], { timeoutMs: 180_000 }), 'rm -f');
  });
}

async function densityRound(ctx: BenchContext, engine: BenchEngine): Promise<void> {
  const rec = ctx.rec;
  await engine.removeAllContainers();
  const before = footprint(engine);
  const ids: string[] = [];
  const per = Math.ceil(TOTAL / CLIENTS);
  const started = performance.now();
  const deadline = started + START_LIMIT_S * 1000;
  await pool(Array.from({ length: CLIENTS }, (_, i) => i), CLIENTS, async (client) => {
    for (let j = 0; j < per && client * per + j < TOTAL && performance.now() < deadline && !ctx.outOfTime(); j++) {
      const r = check(await engine.docker(['run', '-d', engine.image, 'sleep', '3600'], { timeoutMs: 120_000 }), 'run -d');
      ids.push(r.stdout.trim());
    }
  });
  const startS = (performance.now() - started) / 1000;
  ctx.log(`  ${engine.name}: ${ids.length} of ${TOTAL} started in ${startS.toFixed(1)} s`);
  if (ids.length < TOTAL) {
    const why = `${ids.length} of ${TOTAL} started in ${startS.toFixed(0)} s (limit ${START_LIMIT_S} s)`;
    for (const m of density.metrics) rec.skip(m.id, engine.name, why);
    await removeAll(engine, ids, per);
    return;
  }
  rec.record('dense-start', engine.name, startS);

  await sleep(2000);
  const mem = engine.memory();
  rec.record('dense-mem-rss', engine.name, mem.rssMB);
  rec.record('dense-mem-pss', engine.name, mem.pssMB);
  rec.note('dense-mem-rss', `${engine.name} with ${TOTAL}: ${describeProcesses(mem)}`);

  for (let i = 0; i < PS_REPS; i++) {
    const ps = check(await engine.docker(['ps'], { timeoutMs: 60_000 }), 'ps');
    const seen = ps.stdout.split('\n').filter(Boolean).length - 1;
    if (seen !== TOTAL) throw new Error(`ps listed ${seen} running, expected ${TOTAL}`);
    rec.record('dense-ps', engine.name, ps.ms / 1000);
  }

  const removing = performance.now();
  await removeAll(engine, ids, per);
  rec.record('dense-rm', engine.name, (performance.now() - removing) / 1000);

  // Leftovers: the bridge's footprint must come back to where it was (bounded wait for background teardown).
  if (!before) return;
  let after = footprint(engine)!;
  for (let i = 0; i < 60 && (after.veths > before.veths || after.rules > before.rules); i++) { await sleep(500); after = footprint(engine)!; }
  const leaked = after.veths > before.veths || after.rules > before.rules;
  rec.note('dense-rm', `${engine.name} after ${TOTAL} started and removed: ${show(after)} (before: ${show(before)})${leaked ? ' — LEAKED' : ''}`);
}
