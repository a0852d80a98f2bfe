// `npm run bench`: Berth against a reference dockerd on this machine, same docker CLI, same busybox image,
// workloads interleaved over several rounds. Prints the table (stdout; progress goes to stderr), writes
// JSON, Markdown and an SVG chart of the ratios under bench/results/, and leaves nothing running.
//
// Environment: BENCH_ROUNDS (default 5; the 100-container, logs and pull workloads run at most 3),
// BENCH_ONLY=run,steps,cli,start,memory,ps,logs,pull,build,load,density (start/memory/ps share one fixture and
// run together), BENCH_DENSITY (default 1000 containers),
// BENCH_BUDGET_S (default 660: no new round starts after that many seconds of workloads), BENCH_DENSITY_BUDGET_S
// (default 720: the density workload's own time, on top — it runs last and alone takes 4–10 minutes),
// BENCH_HARD_LIMIT_S (default 780 plus the density budget when density runs: past it, whatever was measured
// is reported and everything is torn down),
// BENCH_PROFILE=1 (berthd under node --cpu-prof; profiles in bench/results/profiles/),
// BENCH_LOG_MB (default 100), BENCH_PULL_LAYER_MB (default 50), BENCH_LOAD_CLIENTS (50), BENCH_LOAD_S (60).
import { mkdtempSync, writeFileSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ensurePackages } from './lib/install.js';
import { machineInfo } from './lib/host.js';
import { onCleanup, runCleanup, cleanupOnSignals, wasInterrupted } from './lib/cleanup.js';
import { enginePids } from './lib/memory.js';
import { loadBusybox } from './lib/busybox-image.js';
import { since } from './lib/proc.js';
import { markOwner, sweepRunDir, sweepStaleRuns } from './lib/stale.js';
import { planBridges } from './lib/bridge.js';
import { DockerdEngine } from './engines/dockerd.js';
import { BerthdEngine, REPO_ROOT } from './engines/berthd.js';
import { Recorder, reasonOf, type BenchContext, type Workload } from './workloads/types.js';
import { runLatency } from './workloads/run-latency.js';
import { berthCli } from './workloads/berth-cli.js';
import { runSteps } from './workloads/run-steps.js';
import { fleet } from './workloads/fleet.js';
import { logs } from './workloads/logs.js';
import { build } from './workloads/build.js';
import { pull } from './workloads/pull.js';
import { load } from './workloads/load.js';
import { density } from './workloads/density.js';
import { writeReport } from './report/write.js';
import { newestProfile, summarizeProfile } from './report/profile.js';
import { summarizeStepTimings } from './report/step-timings.js';

const WORKLOADS: Workload[] = [runLatency, runSteps, berthCli, fleet, logs, build, pull, load, density];
const t0 = performance.now();
const log = (msg: string) => process.stderr.write(`bench [${since(t0)}] ${msg}\n`);

function settings() {
  const rounds = Math.max(1, Math.min(20, Number(process.env.BENCH_ROUNDS ?? 5) || 5));
  const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const budgetS = Number(process.env.BENCH_BUDGET_S ?? 660) || 660;
  const densityBudgetS = densitySelected(only) ? Number(process.env.BENCH_DENSITY_BUDGET_S ?? 720) || 720 : 0;
  const profile = process.env.BENCH_PROFILE === '1';
  return { rounds, only, budgetS, densityBudgetS, profile };
}

function densitySelected(only: string[]): boolean {
  return only.length === 0 || only.includes('density');
}

/** This run's scratch directory: swept by force when the orderly teardown ran out of time. */
let ownWorkDir: string | undefined;

function sweepSelf(): void {
  if (ownWorkDir && existsSync(ownWorkDir)) {
    log(`teardown incomplete: sweeping ${ownWorkDir} by force`);
    sweepRunDir(ownWorkDir, process.pid);
  }
}

/** Prints and writes the results once; set as soon as there is something to report. */
let report: (partial?: string) => void = () => undefined;

async function main(): Promise<void> {
  const cfg = settings();
  const machine = machineInfo();
  const date = new Date();
  const loadAtStart = os.loadavg()[0];
  cleanupOnSignals(log);
  if (process.getuid?.() !== 0) throw new Error('the benchmark runs engines and must run as root');
  ensurePackages(log);

  for (const dir of sweepStaleRuns()) log(`removed leftovers of a killed earlier run: ${dir}`);
  const workDir = mkdtempSync('/tmp/berth-bench-');
  ownWorkDir = workDir;
  markOwner(workDir);
  onCleanup('scratch directory', async () => rmSync(workDir, { recursive: true, force: true }));
  const resultsDir = join(REPO_ROOT, 'bench', 'results');
  const bridges = planBridges(process.pid);
  const docker = new DockerdEngine(join(workDir, 'docker'), bridges.docker);
  const berth = new BerthdEngine(join(workDir, 'berth'), bridges.berth, cfg.profile ? join(resultsDir, 'profiles') : undefined);
  if (cfg.profile) berth.saveLogTo = join(resultsDir, 'berthd.log');
  onCleanup('dockerd', () => docker.stop());
  onCleanup('berthd', () => berth.stop());

  log(`starting dockerd (bridge ${bridges.docker.name} ${bridges.docker.subnet}) and berthd (bridge ${bridges.berth.name} ${bridges.berth.subnet}) under ${workDir}`);
  await Promise.all([docker.start(), berth.start()]);
  for (const e of [docker, berth]) log(e.failure ? `${e.name}: ${e.failure}` : `${e.name}d ${e.version} up on ${e.host}`);
  const imageSource = await loadBusybox(docker, berth, join(workDir, 'image')).catch((err) => `busybox image: ${reasonOf(err)}`);
  log(`busybox: ${imageSource}`);

  const rec = new Recorder();
  report = (partial?: string) => {
    report = () => undefined;
    writeReport({ date, machine, settings: cfg, imageSource, rec, resultsDir, partial, load: { start: loadAtStart, end: os.loadavg()[0] },
      versions: { docker: docker.version, berth: berth.version, cli: cliVersion() } });
    log('wrote bench/results/latest.md, latest.json, latest.svg');
  };
  // The density workload (last, one round of 1000 containers per engine) has a budget of its own, so the
  // other workloads' rounds never starve it and it never eats theirs.
  let deadline = performance.now() + cfg.budgetS * 1000;
  const ctx: BenchContext = {
    engines: [docker, berth], rounds: cfg.rounds, rec, workDir, log,
    outOfTime: () => wasInterrupted() || performance.now() > deadline,
  };
  for (const w of WORKLOADS) {
    const selected = cfg.only.length === 0 || w.keys.some((k) => cfg.only.includes(k));
    if (!selected) continue;
    for (const m of w.metrics) rec.define(m);
    if (w === density) deadline = Math.max(deadline, performance.now()) + cfg.densityBudgetS * 1000;
    if (ctx.outOfTime()) {
      for (const m of w.metrics) for (const e of ctx.engines) rec.skip(m.id, e.name, 'time budget spent before this workload');
      continue;
    }
    log(`${w.title}`);
    try {
      await w.run(ctx);
    } catch (err) {
      log(`  ${w.title} failed: ${reasonOf(err)}`);
      for (const m of w.metrics) for (const e of ctx.engines) rec.skip(m.id, e.name, reasonOf(err));
    }
  }

  if (wasInterrupted()) return;
  report();
}

function cliVersion(): string {
  const r = spawnSync('/usr/local/bin/docker', ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent' } });
  return (r.stdout ?? '').trim() || 'unknown';
}

/** After teardown: anything of this run still alive or mounted is a bug worth a loud line. */
function checkLeftovers(): void {
  const stray = enginePids(-1, '/tmp/berth-bench-').filter((p) => p.pid !== process.pid);
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.includes(' /tmp/berth-bench-'));
  if (stray.length || mounts.length) log(`WARNING left behind: ${stray.map((p) => `${p.name}(${p.pid})`).join(' ')} ${mounts.length} mounts`);
}

// The hard bound on the whole run: report what was measured, tear down, and exit.
const hardLimitS = Number(process.env.BENCH_HARD_LIMIT_S ?? 0) || 780 + settings().densityBudgetS;
setTimeout(() => {
  log(`hard time limit of ${hardLimitS} s reached: reporting what was measured and stopping`);
  report(`stopped at the ${hardLimitS} s hard limit`);
  void runCleanup(log).finally(() => { sweepSelf(); process.exit(2); });
}, hardLimitS * 1000).unref();

// A closed terminal or pipe (`npm run bench | head`) must not crash the run before it tears down.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err) => {
    log(`${event}: ${(err as Error)?.stack ?? err}`);
    void runCleanup(log).finally(() => process.exit(1));
  });
}

let status = 0;
try {
  await main();
} catch (err) {
  log(`failed: ${(err as Error).stack ?? err}`);
  status = 1;
} finally {
  log('cleaning up');
  await runCleanup(log);
  sweepSelf();
  checkLeftovers();
  // berthd writes its profile when it exits, so this can only be read after teardown.
  const profile = settings().profile ? newestProfile(join(REPO_ROOT, 'bench', 'results', 'profiles')) : undefined;
  if (profile) {
    const berthLog = join(REPO_ROOT, 'bench', 'results', 'berthd.log');
    const steps = existsSync(berthLog) ? summarizeStepTimings(readFileSync(berthLog, 'utf8')) : '';
    const text = summarizeProfile(profile) + (steps ? '\n' + steps : '');
    process.stdout.write(text + '\n');
    writeFileSync(join(REPO_ROOT, 'bench', 'results', 'latest-profile.txt'), text + '\n');
  }
  log('done');
}
process.exit(status);
