// Workload 6: `docker pull` of a ~250 MB, 5-layer image from a registry on 127.0.0.1, removed again
// (untimed) after each pull so every pull is cold.
import { join } from 'node:path';
import { check } from '../lib/proc.js';
import { onCleanup } from '../lib/cleanup.js';
import { startRegistry, pushSyntheticImage } from '../lib/registry.js';
import { interleave, reasonOf, type Workload } from './types.js';

const LAYERS = 5;
const LAYER_MB = Number(process.env.BENCH_PULL_LAYER_MB ?? 50);

export const pull: Workload = {
  keys: ['pull'],
  title: `pull ${LAYERS} × ${LAYER_MB} MB from 127.0.0.1`,
  metrics: [{ id: 'pull', label: `pull ${LAYERS * LAYER_MB} MB, ${LAYERS} layers, local registry`, unit: 's', maxRatio: 1 / 1.5, targetText: '≥ 1.5× speed' }],
  rounds: (requested) => Math.min(requested, 3),
  async run(ctx) {
    let ref: string;
    try {
      const dir = join(ctx.workDir, 'registry');
      const registry = await startRegistry(dir);
      onCleanup('registry', registry.stop);
      const size = await pushSyntheticImage(registry.addr, join(dir, 'image'), 'berth-bench/big', LAYERS, LAYER_MB * 1024 * 1024);
      ref = `${registry.addr}/berth-bench/big:latest`;
      ctx.log(`  pushed ${ref} (${(size / 1e6).toFixed(0)} MB compressed)`);
    } catch (err) {
      for (const e of ctx.engines) ctx.rec.skip('pull', e.name, `registry set-up: ${reasonOf(err)}`);
      return;
    }
    await interleave(ctx, this.rounds!(ctx.rounds), ['pull'], async (engine) => {
      await engine.docker(['rmi', '-f', ref], { timeoutMs: 60_000 });
      const r = check(await engine.docker(['pull', '-q', ref], { timeoutMs: 300_000 }), 'pull');
      ctx.rec.record('pull', engine.name, r.ms / 1000);
      check(await engine.docker(['rmi', '-f', ref], { timeoutMs: 60_000 }), 'rmi');
    });
  },
};
