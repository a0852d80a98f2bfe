// Workload 6: registry transfers with a ~250 MB, 5-layer image on a registry on 127.0.0.1:
// - pull: cold `docker pull` (the image removed, untimed, before and after);
// - push: `docker push` of the pulled image to a fresh, empty registry (every layer goes up);
// - resumed pull: a pull cut at 50 % of its bytes (the registry's port closed and the client killed),
//   then the timed pull that finishes the job (Berth keeps the bytes it got; Docker starts over).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { check, sleep } from '../lib/proc.js';
import { onCleanup } from '../lib/cleanup.js';
import { startRegistry, pushSyntheticImage } from '../lib/registry.js';
import { startCutProxy } from '../lib/cut-proxy.js';
import { interleave, reasonOf, type Workload } from './types.js';

const LAYERS = 5;
const LAYER_MB = Number(process.env.BENCH_PULL_LAYER_MB ?? 50);
const DOCKER_BIN = '/usr/local/bin/docker';

export const pull: Workload = {
  keys: ['pull', 'push', 'resume'],
  title: `pull, push and resumed pull of ${LAYERS} × ${LAYER_MB} MB on 127.0.0.1`,
  metrics: [
    { id: 'pull', label: `pull ${LAYERS * LAYER_MB} MB, ${LAYERS} layers, local registry`, unit: 's', maxRatio: 0.5, targetText: '≤ 0.5× Docker\'s time' },
    { id: 'push', label: `push ${LAYERS * LAYER_MB} MB, ${LAYERS} layers, to an empty registry`, unit: 's' },
    { id: 'pull-resume', label: `pull after a cut at 50 % (${LAYERS * LAYER_MB} MB)`, unit: 's' },
  ],
  rounds: (requested) => Math.min(requested, 3),
  async run(ctx) {
    let ref: string;
    let proxied: string;
    let totalBytes: number;
    let proxy: Awaited<ReturnType<typeof startCutProxy>>;
    const dir = join(ctx.workDir, 'registry');
    try {
      const registry = await startRegistry(dir);
      onCleanup('registry', registry.stop);
      totalBytes = await pushSyntheticImage(registry.addr, join(dir, 'image'), 'berth-bench/big', LAYERS, LAYER_MB * 1024 * 1024);
      ref = `${registry.addr}/berth-bench/big:latest`;
      proxy = await startCutProxy(registry.addr);
      onCleanup('cut proxy', () => proxy.close());
      proxied = `${proxy.addr}/berth-bench/big:latest`;
      ctx.log(`  pushed ${ref} (${(totalBytes / 1e6).toFixed(0)} MB compressed)`);
    } catch (err) {
      for (const m of this.metrics) for (const e of ctx.engines) ctx.rec.skip(m.id, e.name, `registry set-up: ${reasonOf(err)}`);
      return;
    }
    await interleave(ctx, this.rounds!(ctx.rounds), ['pull', 'push'], async (engine, round) => {
      await engine.docker(['rmi', '-f', ref], { timeoutMs: 60_000 });
      const r = check(await engine.docker(['pull', '-q', ref], { timeoutMs: 300_000 }), 'pull');
      ctx.rec.record('pull', engine.name, r.ms / 1000);
      // Push to a registry that has nothing yet, so every layer is uploaded.
      const emptyDir = join(ctx.workDir, `push-${engine.name}-${round}`);
      const empty = await startRegistry(emptyDir);
      try {
        const target = `${empty.addr}/berth-bench/big:latest`;
        check(await engine.docker(['tag', ref, target]), 'tag');
        const p = check(await engine.docker(['push', '-q', target], { timeoutMs: 300_000 }), 'push');
        ctx.rec.record('push', engine.name, p.ms / 1000);
        await engine.docker(['rmi', target]);
      } finally {
        await empty.stop();
        rmSync(emptyDir, { recursive: true, force: true });
      }
      check(await engine.docker(['rmi', '-f', ref], { timeoutMs: 60_000 }), 'rmi');
    });
    await interleave(ctx, this.rounds!(ctx.rounds), ['pull-resume'], async (engine) => {
      await engine.docker(['rmi', '-f', proxied], { timeoutMs: 60_000 });
      const cut = proxy.armCut(totalBytes / 2);
      const client = spawn(DOCKER_BIN, ['-H', engine.host, 'pull', '-q', proxied], { stdio: 'ignore' });
      const exited = new Promise((r) => client.once('exit', r));
      await Promise.race([cut, exited, sleep(120_000)]);
      client.kill('SIGKILL');
      await exited;
      await sleep(1000); // let the engine notice and settle
      await proxy.reopen();
      const r = check(await engine.docker(['pull', '-q', proxied], { timeoutMs: 300_000 }), 'resumed pull');
      ctx.rec.record('pull-resume', engine.name, r.ms / 1000);
      check(await engine.docker(['rmi', '-f', proxied], { timeoutMs: 60_000 }), 'rmi');
    });
  },
};
