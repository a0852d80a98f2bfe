// Workload 5: a container writes 100 MB of 100-byte lines to stdout and exits; then `docker logs` reads
// it all. The read is the metric (the target is read throughput); the write — container start to
// exit, i.e. how fast the engine drains the container's stdout into its log — is reported beside it.
// The container runs on the engine's default bridge.
import { check } from '../lib/proc.js';
import { apiDrain } from '../lib/api.js';
import { interleave, type BenchContext, type Workload } from './types.js';

const MB = Number(process.env.BENCH_LOG_MB ?? 100);
const BYTES = MB * 1024 * 1024;
// 99 characters and a newline: 100-byte lines, ~1M of them at 100 MB.
const LINE = 'berth-bench-log-line-'.padEnd(99, '0123456789abcdefghijklmnopqrstuvwxyz');

export const logs: Workload & { runRounds(ctx: BenchContext): Promise<void> } = {
  keys: ['logs'],
  title: `logs: ${MB} MB through stdout`,
  metrics: [
    { id: 'logs-read', label: `docker logs, read ${MB} MB`, unit: 's', maxRatio: 0.2, targetText: '≥ 5× throughput' },
    { id: 'logs-api', label: `GET /containers/{id}/logs, ${MB} MB (API)`, unit: 's' },
    { id: 'logs-write', label: `container writes ${MB} MB to stdout (run→exit)`, unit: 's' },
  ],
  rounds: (requested) => Math.min(requested, 3),
  async run(ctx) {
    try {
      await this.runRounds(ctx);
    } finally {
      const rates = ctx.engines.map((e) => {
        const times = ctx.rec.metrics.get('logs-read')?.values[e.name] ?? [];
        const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
        return median ? `${e.name} ${(MB / median).toFixed(0)} MB/s` : undefined;
      }).filter(Boolean);
      if (rates.length) ctx.rec.note('logs-read', `read throughput (median): ${rates.join(', ')}`);
    }
  },
  async runRounds(ctx: BenchContext) {
    await interleave(ctx, this.rounds!(ctx.rounds), ['logs-read', 'logs-api', 'logs-write'], async (engine) => {
      const start = performance.now();
      const id = check(await engine.docker(['run', '-d', engine.image, 'sh', '-c', `yes ${LINE} | head -c ${BYTES}`],
        { timeoutMs: 60_000 }), 'run -d').stdout.trim();
      try {
        const wait = check(await engine.docker(['wait', id], { timeoutMs: 180_000 }), 'wait');
        if (wait.stdout.trim() !== '0') throw new Error(`log writer exited with ${wait.stdout.trim()}`);
        ctx.rec.record('logs-write', engine.name, (performance.now() - start) / 1000);
        const read = check(await engine.docker(['logs', id], { timeoutMs: 180_000, discardStdout: true }), 'logs');
        if (read.stdoutBytes !== BYTES) throw new Error(`docker logs returned ${read.stdoutBytes} bytes, expected ${BYTES}`);
        ctx.rec.record('logs-read', engine.name, read.ms / 1000);
        // The same read without the CLI (which demultiplexes ~1M frames): how much is the engine's.
        const raw = await apiDrain(engine.socket, `/containers/${id}/logs?stdout=1&stderr=1`);
        if (raw.status !== 200) throw new Error(`GET logs: ${raw.status}`);
        ctx.rec.record('logs-api', engine.name, raw.ms / 1000);
        ctx.log(`  ${engine.name}: read ${MB} MB in ${(read.ms / 1000).toFixed(2)} s (${(MB / (read.ms / 1000)).toFixed(0)} MB/s)`);
      } finally {
        await engine.docker(['rm', '-f', id], { timeoutMs: 60_000 });
      }
    });
  },
};
