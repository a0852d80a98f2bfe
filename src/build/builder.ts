// A whole build: the Dockerfile read from the context and planned into stages, only the stages the target
// needs, independent stages at the same time (each waits only for the stages it names), the output kept in
// Dockerfile order, `--label`s as extra LABEL steps, tags set on the result, and intermediate containers
// removed by Docker's --rm/--force-rm rules whatever happens.
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { BerthError, errorMessage, invalidArgument } from '../errors.js';
import type { ImageService } from '../images/image-service.js';
import type { ImageRecord } from '../model/image.js';
import { normalizeTagged } from '../images/reference.js';
import { log } from '../util/log.js';
import { parseDockerfile, type Node } from './parser/nodes.js';
import { planStages, type Located, type Stage } from './parser/instructions.js';
import { expandWord } from './parser/shell-words.js';
import { GlobalArgs } from './build-args.js';
import { BuildCache } from './cache.js';
import type { BuildContext } from './context/build-context.js';
import { OrderedOutput } from './output.js';
import { StageRun, StepFailure, type StageEnv } from './stage.js';
import type { BuildContainers, BuildMessage, BuildOptions, BuildPuller } from './types.js';

export interface BuilderDeps { images: ImageService; containers: BuildContainers; tmpRoot: string; puller?: BuildPuller }

/** Stages the target needs: its FROM chain and every COPY --from, transitively. */
function neededStages(stages: Stage[], target: number, resolve: (ref: string, before: number) => number | undefined): number[] {
  const need = new Set<number>();
  const visit = (i: number) => {
    if (need.has(i)) return;
    need.add(i);
    const s = stages[i];
    const refs = [s.from.image, ...s.steps.flatMap((st) => (st.kind === 'copy' || st.kind === 'add') && st.from ? [st.from] : [])];
    for (const r of refs) { const dep = resolve(r, i); if (dep !== undefined) visit(dep); }
  };
  visit(target);
  return [...need].sort((a, b) => a - b);
}

/** `started` is called once the Dockerfile is read and planned: errors before it are the request's (HTTP 4xx). */
export async function runBuild(deps: BuilderDeps, context: BuildContext, opts: BuildOptions, emit: (m: BuildMessage) => void, started: () => void = () => undefined): Promise<ImageRecord> {
  const text = await context.readText(opts.dockerfile) ?? (opts.dockerfile === 'Dockerfile' ? await context.readText('dockerfile') : undefined);
  if (text === undefined) throw invalidArgument(`Cannot locate specified Dockerfile: ${opts.dockerfile}`);
  const parsed = parseDockerfile(text);
  if (parsed.nodes.length === 0) throw invalidArgument(`the Dockerfile (${opts.dockerfile}) cannot be empty`);
  const plan = planStages(parsed.nodes, parsed.directives.escape);
  if (plan.stages.length === 0) throw invalidArgument('no build stage in current context');
  if (opts.platform && !['linux/amd64', 'linux'].includes(opts.platform)) throw invalidArgument(`"${opts.platform}": only linux/amd64 can be built here`);
  const tags = opts.tags.map((t) => normalizeTagged(t));

  const args = new GlobalArgs(opts.buildArgs, 'linux/amd64');
  for (const a of plan.metaArgs) args.declareMeta(a.name, a.default === undefined ? undefined : expandWord(a.default, args.metaEnv(), plan.escape));

  const byName = (ref: string, before: number): number | undefined => {
    const lower = ref.toLowerCase();
    for (let i = 0; i < before; i++) if (plan.stages[i].name === lower) return i;
    if (/^\d+$/.test(ref) && Number(ref) < before) return Number(ref);
    return undefined;
  };
  let target = plan.stages.length - 1;
  if (opts.target) {
    const t = plan.stages.findIndex((s) => s.name === opts.target!.toLowerCase());
    if (t < 0) throw invalidArgument(`failed to reach build target ${opts.target} in Dockerfile`);
    target = t;
  }
  const expandRef = (r: string) => expandWord(r, args.metaEnv(), plan.escape);
  const needed = neededStages(plan.stages, target, (r, i) => byName(expandRef(r), i));

  // `--label`s are LABEL steps at the end of the target stage, as the classic builder adds them.
  const extra: Located[] = Object.keys(opts.labels).sort().map((k) => {
    const node: Node = { keyword: 'label', rawKeyword: 'LABEL', flags: [], args: '', heredocs: [], original: `LABEL ${k}=${opts.labels[k]}`, startLine: 0, endLine: 0 };
    return { kind: 'label', pairs: [{ key: JSON.stringify(k), value: JSON.stringify(opts.labels[k]) }], node } as Located;
  });

  // Step numbers in output order: the meta ARGs, then each needed stage's instructions.
  const numbers = new Map<Located, number>();
  let n = 0;
  for (const a of plan.metaArgs) numbers.set(a, ++n);
  for (const i of needed) {
    numbers.set(plan.stages[i].from, ++n);
    for (const s of plan.stages[i].steps) numbers.set(s, ++n);
    if (i === target) for (const s of extra) numbers.set(s, ++n);
  }
  const total = n;
  const label = (ins: Located) => `Step ${numbers.get(ins) ?? '?'}/${total}`;

  started();
  const output = new OrderedOutput(emit, needed.length + 1);
  for (const a of plan.metaArgs) if (!opts.quiet) { output.write(0, { stream: `${label(a)} : ${a.node.original}` }); output.write(0, { stream: '\n' }); }
  output.close(0);

  const cacheSources: ImageRecord[] = [];
  for (const ref of opts.cacheFrom) {
    try { cacheSources.push(await deps.images.resolve(ref)); } catch { /* Docker ignores cache-from images it cannot find */ }
  }
  const cache = new BuildCache(deps.images, opts.noCache, cacheSources);
  const tmpRoot = join(deps.tmpRoot, `build-${randomBytes(6).toString('hex')}`);
  await mkdir(tmpRoot, { recursive: true, mode: 0o700 });
  const containers: Array<{ id: string; ok: boolean }> = [];
  const results = new Map<number, Promise<ImageRecord | undefined>>();
  // Base images (FROM, COPY --from) stay leased for the whole build: an `rmi -f` meanwhile cannot take their layers.
  const leases: Array<{ release: () => void }> = [];
  const leaseImage = (ref: string): ImageRecord => {
    const lease = deps.images.lease(ref);
    leases.push(lease);
    return lease.image!;
  };
  try {
    const runStage = (i: number, lane: number): Promise<ImageRecord | undefined> => {
      const env: StageEnv = {
        images: deps.images, containers: deps.containers, puller: deps.puller, cache, context, opts, args, escape: plan.escape, tmpRoot, leaseImage,
        stageImage: (ref, before) => {
          const dep = byName(ref, before);
          if (dep === undefined) return undefined;
          const p = results.get(dep);
          if (!p) throw invalidArgument(`stage ${ref} is not part of this build`);
          return p;
        },
        out: (m) => output.write(lane, m),
        stepLabel: label,
        track: (id, ok) => containers.push({ id, ok }),
        extraSteps: i === target ? extra : [],
      };
      return new StageRun(env, plan.stages[i]).run().finally(() => output.close(lane));
    };
    needed.forEach((i, k) => results.set(i, runStage(i, k + 1)));
    const settled = await Promise.allSettled(needed.map((i) => results.get(i)!));
    const firstError = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (firstError) { output.flushAll(); throw firstError.reason; }
    const image = await results.get(target)!;
    if (!image) throw invalidArgument('No image was generated. Is your Dockerfile empty?');
    for (const t of tags) {
      // Re-pointing a tag at the image it already names would only rewrite (and fsync) the references.
      if (deps.images.findId(t) !== image.id) await deps.images.setTag(t, image.id);
      deps.images.publish('tag', image.id, t);
    }
    const unused = args.unconsumed();
    if (opts.quiet) emit({ stream: `${image.id}\n` });
    else {
      if (unused.length) emit({ stream: `[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n` });
      emit({ aux: { ID: image.id } });
      emit({ stream: `Successfully built ${image.id.slice(7, 19)}\n` });
      for (const t of opts.tags) emit({ stream: `Successfully tagged ${displayTag(t)}\n` });
    }
    return image;
  } finally {
    const doomed = containers.filter((c) => opts.forceRm || (opts.rm && c.ok));
    await Promise.all(doomed.map((c) => deps.containers.remove(c.id).catch((err) => log.warn('removing build container failed', { id: c.id, err: errorMessage(err) }))));
    await rm(tmpRoot, { recursive: true, force: true });
    for (const l of leases.splice(0)) l.release();
  }
}

function displayTag(t: string): string {
  return /:[^/]+$/.test(t) && !t.endsWith(']') ? t : `${t}:latest`;
}

/** A failed step as Docker's stream error: the message, and the exit code for a failing RUN. */
export function buildErrorMessage(err: unknown): BuildMessage {
  const message = errorMessage(err);
  if (err instanceof StepFailure) return { errorDetail: { code: err.code, message }, error: message };
  if (err instanceof BerthError || err instanceof Error) return { errorDetail: { message }, error: message };
  return { errorDetail: { message }, error: message };
}
