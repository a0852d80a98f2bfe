// Workload 7: `docker build` (classic builder, as the docker CLI uses without buildx) of a 10-instruction
// Dockerfile with a 20 MB context: cold (--no-cache) and then fully cached, each round; and a two-stage
// build whose stages are independent (each RUN sleeps 1 s): the classic builder runs them one after the
// other, Berth at the same time.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { check } from '../lib/proc.js';
import { interleave, type Workload } from './types.js';

const CONTEXT_FILES = 20; // × 1 MiB of random bytes: nothing for the context upload to compress away

function dockerfile(image: string): string {
  return [
    `FROM ${image}`,
    'LABEL org.berth.bench=build',
    'ENV BENCH_STAGE=1',
    'WORKDIR /app',
    'COPY data/ /app/data/',
    'RUN du -s /app/data > /app/size',
    'COPY Dockerfile /app/',
    'RUN echo done > /app/done',
    'USER 0',
    'CMD ["sh"]',
    '',
  ].join('\n');
}

function twoStageDockerfile(image: string): string {
  return [
    `FROM ${image} AS one`, 'RUN sleep 1 && echo one > /one',
    `FROM ${image} AS two`, 'RUN sleep 1 && echo two > /two',
    `FROM ${image}`, 'COPY --from=one /one /', 'COPY --from=two /two /', '',
  ].join('\n');
}

function makeContext(dir: string, image: string): void {
  if (existsSync(join(dir, 'Dockerfile'))) return;
  mkdirSync(join(dir, 'data'), { recursive: true });
  for (let i = 0; i < CONTEXT_FILES; i++) writeFileSync(join(dir, 'data', `blob-${i}.bin`), randomBytes(1024 * 1024));
  writeFileSync(join(dir, 'Dockerfile'), dockerfile(image));
}

export const build: Workload = {
  keys: ['build'],
  title: 'docker build, 10 instructions, 20 MB context; two independent stages',
  metrics: [
    { id: 'build-cold', label: 'build 10 steps, 20 MB context, cold', unit: 's', maxRatio: 1, targetText: '≤ 1×' },
    { id: 'build-cached', label: 'build 10 steps, 20 MB context, cached', unit: 's', maxRatio: 0.5, targetText: '≤ 0.5×' },
    { id: 'build-two-stage', label: 'build 2 independent stages (RUN sleep 1 each), cold', unit: 's' },
  ],
  async run(ctx) {
    const dir = join(ctx.workDir, 'build-context');
    await interleave(ctx, ctx.rounds, ['build-cold', 'build-cached'], async (engine) => {
      makeContext(dir, engine.image);
      const args = ['build', '--network', 'none', '-t', 'berth-bench-build:latest', dir];
      const cold = check(await engine.docker(['build', '--no-cache', ...args.slice(1)], { timeoutMs: 180_000 }), 'build --no-cache');
      ctx.rec.record('build-cold', engine.name, cold.ms / 1000);
      const cached = check(await engine.docker(args, { timeoutMs: 180_000 }), 'build');
      if (/Running in /.test(cached.stdout)) ctx.rec.note('build-cached', `${engine.name}: the second build ran steps again (not fully cached)`);
      ctx.rec.record('build-cached', engine.name, cached.ms / 1000);
    });
    const two = join(ctx.workDir, 'build-two-stage');
    await interleave(ctx, ctx.rounds, ['build-two-stage'], async (engine) => {
      mkdirSync(two, { recursive: true });
      writeFileSync(join(two, 'Dockerfile'), twoStageDockerfile(engine.image));
      const r = check(await engine.docker(['build', '--no-cache', '--network', 'none', '-t', 'berth-bench-two:latest', two], { timeoutMs: 180_000 }), 'two-stage build');
      ctx.rec.record('build-two-stage', engine.name, r.ms / 1000);
    });
  },
};
