// Workload: 50 concurrent API clients for 60 s (BENCH_LOAD_CLIENTS, BENCH_LOAD_S), each looping through
// a container's life: create, start, exec (attached), logs, rm -f. Reports per-operation p50/p99 latency,
// errors, and anything lost — a container that should exist and does not (inspect 404 after create), an
// exec whose output is missing, a log line missing — for berthd and dockerd side by side.
import { apiRequest, apiError, type ApiResult } from '../lib/api.js';
import type { BenchEngine } from '../engines/engine.js';
import { interleave, type Workload } from './types.js';

const CLIENTS = Number(process.env.BENCH_LOAD_CLIENTS ?? 50) || 50;
const SECONDS = Number(process.env.BENCH_LOAD_S ?? 60) || 60;
const OPS = ['create', 'start', 'exec', 'logs', 'rm'] as const;
type Op = typeof OPS[number];

interface Tally { ms: Record<Op, number[]>; errors: Map<string, number>; lost: Map<string, number>; cycles: number }

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

function bump(m: Map<string, number>, k: string): void { m.set(k, (m.get(k) ?? 0) + 1); }

async function timed(t: Tally, op: Op, call: () => Promise<ApiResult>, ok: number[]): Promise<ApiResult | undefined> {
  try {
    const r = await call();
    t.ms[op].push(r.ms);
    if (!ok.includes(r.status)) { bump(t.errors, `${op} ${apiError(r)}`); return undefined; }
    return r;
  } catch (err) {
    bump(t.errors, `${op} ${(err as Error).message.slice(0, 80)}`);
    return undefined;
  }
}

/** One client's loop until the deadline; every container it creates it also removes. */
async function client(engine: BenchEngine, n: number, deadline: number, t: Tally): Promise<void> {
  const s = engine.socket;
  for (let i = 0; Date.now() < deadline; i++) {
    const mark = `load-${n}-${i}`;
    const created = await timed(t, 'create', () => apiRequest(s, 'POST', '/containers/create', {
      Image: engine.image, Cmd: ['sh', '-c', `echo ${mark}; exec sleep 120`], HostConfig: { NetworkMode: 'none' },
    }), [201]);
    if (!created) continue;
    const id = (JSON.parse(created.body) as { Id: string }).Id;
    try {
      const seen = await apiRequest(s, 'GET', `/containers/${id}/json`).catch(() => undefined);
      if (seen?.status === 404) bump(t.lost, 'container missing right after create');
      if (!await timed(t, 'start', () => apiRequest(s, 'POST', `/containers/${id}/start`), [204])) continue;
      const exec = await apiRequest(s, 'POST', `/containers/${id}/exec`, { Cmd: ['echo', `x-${mark}`], AttachStdout: true, AttachStderr: true }).catch(() => undefined);
      if (exec?.status === 201) {
        const eid = (JSON.parse(exec.body) as { Id: string }).Id;
        const out = await timed(t, 'exec', () => apiRequest(s, 'POST', `/exec/${eid}/start`, { Detach: false, Tty: false }), [200, 101]);
        if (out && !out.body.includes(`x-${mark}`)) bump(t.lost, 'exec output missing');
      } else bump(t.errors, `exec create ${exec ? apiError(exec) : 'no answer'}`);
      // The container echoed its mark before anything else; give it a few tries to reach the log.
      let found = false;
      for (let k = 0; k < 5 && !found; k++) {
        const logs = await timed(t, 'logs', () => apiRequest(s, 'GET', `/containers/${id}/logs?stdout=1&stderr=1`), [200]);
        found = !!logs?.body.includes(mark);
        if (!found) await new Promise((r) => setTimeout(r, 100));
      }
      if (!found) bump(t.lost, 'log line missing');
    } finally {
      await timed(t, 'rm', () => apiRequest(s, 'DELETE', `/containers/${id}?force=1`), [204]);
    }
    t.cycles++;
  }
}

export const load: Workload = {
  keys: ['load'],
  title: `load: ${CLIENTS} API clients for ${SECONDS} s of create/start/exec/logs/rm`,
  metrics: OPS.flatMap((op) => [
    { id: `load-${op}-p50`, label: `${op} p50 under load`, unit: 'ms' as const },
    { id: `load-${op}-p99`, label: `${op} p99 under load`, unit: 'ms' as const },
  ]),
  rounds: () => 1,
  async run(ctx) {
    const ids = this.metrics.map((m) => m.id);
    await interleave(ctx, 1, ids, async (engine) => {
      const t: Tally = { ms: { create: [], start: [], exec: [], logs: [], rm: [] }, errors: new Map(), lost: new Map(), cycles: 0 };
      const deadline = Date.now() + SECONDS * 1000;
      await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(engine, n, deadline, t)));
      const left = await engine.removeAllContainers();
      for (const op of OPS) {
        const sorted = [...t.ms[op]].sort((a, b) => a - b);
        if (sorted.length) { ctx.rec.record(`load-${op}-p50`, engine.name, percentile(sorted, 50)); ctx.rec.record(`load-${op}-p99`, engine.name, percentile(sorted, 99)); }
      }
      const errors = [...t.errors].map(([k, v]) => `${v}× ${k}`).join('; ') || 'none';
      const lost = [...t.lost].map(([k, v]) => `${v}× ${k}`).join('; ') || 'none';
      const summary = `${engine.name}: ${t.cycles} cycles, errors: ${errors}; lost: ${lost}; containers left after the run: ${left}`;
      ctx.rec.note('load-create-p50', summary);
      ctx.log(`  ${summary}`);
    });
  },
};
