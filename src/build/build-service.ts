// The builder as a service: receives the context (tar, gzip tar, a bare Dockerfile, or a remote URL),
// runs the build with its stream going to `emit`, and always removes the unpacked context.
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { mkdir, rm, readdir } from 'node:fs/promises';
import { invalidArgument } from '../errors.js';
import type { ImageService } from '../images/image-service.js';
import type { ImageRecord } from '../model/image.js';
import { BuildContext } from './context/build-context.js';
import { ContextIndexer } from './context/indexer.js';
import { runBuild } from './builder.js';
import { commitContainer, type CommitOptions } from './commit.js';
import type { BuildContainers, BuildMessage, BuildOptions, BuildPuller } from './types.js';

export class BuildService {
  private readonly tmp: string;
  private readonly indexer = new ContextIndexer();

  constructor(private readonly deps: { dataRoot: string; images: ImageService; containers: BuildContainers; puller?: BuildPuller }) {
    this.tmp = join(deps.dataRoot, 'build');
  }

  /** Removes contexts and scratch roots a crash left behind. */
  async init(): Promise<void> {
    this.indexer.warm();
    await mkdir(this.tmp, { recursive: true, mode: 0o700 });
    for (const n of await readdir(this.tmp)) await rm(join(this.tmp, n), { recursive: true, force: true });
  }

  /** Unpacks the context; call before answering 200 so a broken upload is a plain HTTP error. */
  async receiveContext(body: Readable, opts: BuildOptions): Promise<BuildContext> {
    await mkdir(this.tmp, { recursive: true, mode: 0o700 });
    let source: Readable = body;
    if (opts.remote) {
      if (!/^https?:\/\//i.test(opts.remote)) throw invalidArgument(`remote context ${opts.remote} is not supported: send the context as a tar, or give an http(s) URL of a tarball or Dockerfile`);
      let res: Response;
      try { res = await fetch(opts.remote, { signal: AbortSignal.timeout(60_000) }); } catch (err) {
        throw invalidArgument(`unable to prepare context: Get "${opts.remote}": ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}`);
      }
      if (!res.ok) throw invalidArgument(`unable to prepare context: Get "${opts.remote}": status ${res.status}`);
      source = Readable.from([Buffer.from(await res.arrayBuffer())]);
      body.resume();
    }
    const dir = join(this.tmp, `ctx-${randomBytes(8).toString('hex')}`);
    try {
      const ctx = await BuildContext.receive(source, dir, opts.dockerfile, this.indexer);
      await ctx.applyIgnore(opts.dockerfile);
      return ctx;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  async build(ctx: BuildContext, opts: BuildOptions, emit: (m: BuildMessage) => void, started?: () => void): Promise<ImageRecord> {
    try {
      return await runBuild({ images: this.deps.images, containers: this.deps.containers, tmpRoot: this.tmp, puller: this.deps.puller }, ctx, opts, emit, started);
    } finally {
      await ctx.remove();
    }
  }

  async commit(opts: CommitOptions): Promise<ImageRecord> {
    return await commitContainer(this.deps.images, this.deps.containers, opts);
  }
}
