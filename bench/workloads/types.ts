// What a workload is, what it records, and the round loop that interleaves the two engines.
//
// A workload declares its rows (metrics) up front, so a row whose feature is missing still appears in the
// table as "skipped: <why>". Each round runs the workload once on each engine, alternating which goes
// first; an engine that fails a round gets its error as the skip reason and sits out the remaining rounds
// of that workload (a failure is not retried into the time budget).
import type { BenchEngine, EngineName } from '../engines/engine.js';

export type Unit = 's' | 'ms' | 'MB' | 'MB/s';

export interface MetricDef {
  id: string;
  label: string;
  unit: Unit;
  /** Target for Berth/Docker of this metric's median (lower is better), when the issue sets one. */
  maxRatio?: number;
  /** How the issue words the target, e.g. "≥ 5× throughput". */
  targetText?: string;
}

export interface Metric extends MetricDef {
  values: Record<EngineName, number[]>;
  skipped: Partial<Record<EngineName, string>>;
  notes: string[];
}

export class Recorder {
  readonly metrics = new Map<string, Metric>();

  define(def: MetricDef): void {
    if (!this.metrics.has(def.id)) this.metrics.set(def.id, { ...def, values: { docker: [], berth: [] }, skipped: {}, notes: [] });
  }
  record(id: string, engine: EngineName, value: number): void { this.get(id).values[engine].push(value); }
  skip(id: string, engine: EngineName, reason: string): void { this.get(id).skipped[engine] ??= reason; }
  note(id: string, text: string): void { this.get(id).notes.push(text); }
  private get(id: string): Metric {
    const m = this.metrics.get(id);
    if (!m) throw new Error(`metric ${id} was not defined`);
    return m;
  }
}

export interface BenchContext {
  engines: BenchEngine[];
  rounds: number;
  rec: Recorder;
  /** The run's scratch directory (shared fixtures: image tars, registry storage, build context). */
  workDir: string;
  log(msg: string): void;
  /** True once the time budget is spent: remaining rounds and workloads are skipped. */
  outOfTime(): boolean;
}

export interface Workload {
  /** Names accepted by BENCH_ONLY that select this workload. */
  keys: string[];
  title: string;
  metrics: MetricDef[];
  /** Rounds this workload runs, given BENCH_ROUNDS (heavy workloads run fewer). */
  rounds?(requested: number): number;
  run(ctx: BenchContext): Promise<void>;
}

/** A failure that should read as a plain reason in the table. */
export class Skip extends Error {}

export function reasonOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 160);
}

/**
 * Runs `fn` for each round and engine, interleaved. When `fn` throws, every metric in `metricIds`
 * is marked skipped for that engine with the error, and that engine sits out later rounds.
 */
export async function interleave(ctx: BenchContext, rounds: number, metricIds: string[],
  fn: (engine: BenchEngine, round: number) => Promise<void>): Promise<void> {
  const failed = new Set<EngineName>();
  for (const e of ctx.engines) {
    if (e.failure) { failed.add(e.name); for (const id of metricIds) ctx.rec.skip(id, e.name, e.failure); }
  }
  for (let round = 0; round < rounds; round++) {
    // The budget is checked once per round: a round that started runs on both engines, so no row ends
    // up measured on one side only.
    if (ctx.outOfTime()) {
      for (const id of metricIds) ctx.rec.note(id, `stopped after ${round} of ${rounds} rounds: time budget spent`);
      return;
    }
    const order = round % 2 === 0 ? ctx.engines : [...ctx.engines].reverse();
    for (const engine of order) {
      if (failed.has(engine.name)) continue;
      try {
        await fn(engine, round);
      } catch (err) {
        failed.add(engine.name);
        ctx.log(`  ${engine.name}: ${reasonOf(err)}`);
        for (const id of metricIds) ctx.rec.skip(id, engine.name, reasonOf(err));
      }
    }
  }
}

/**
 * The network a container workload runs on: each engine's default bridge (what users run: no flag at
 * all) or `--network none` (the engine without its network step), in rows labelled alike.
 */
export type NetMode = 'bridge' | 'none';
export const NET_MODES: NetMode[] = ['bridge', 'none'];

/** docker CLI arguments for the mode: none for the default bridge, exactly as a user types `docker run`. */
export function netArgs(mode: NetMode): string[] {
  return mode === 'none' ? ['--network', 'none'] : [];
}

/** HostConfig for raw API creates in the mode (NetworkMode left out on the default bridge, as the CLI does). */
export function netHostConfig(mode: NetMode): Record<string, unknown> {
  return mode === 'none' ? { NetworkMode: 'none' } : {};
}

export function netLabel(mode: NetMode): string {
  return mode === 'none' ? '(--network none)' : '(default bridge)';
}
