// `berth build`: the docker CLI's classic build — context packed here, POST /build, Docker's steps
// printed as they stream, each step followed by how long it took; `-q` prints only the image ID.
import { writeFileSync } from 'node:fs';
import type { VerbSpec } from '../command.js';
import { ExitError } from '../command.js';
import { jsonLines } from '../../client/transport.js';
import { packContext } from './build-context-pack.js';

interface BuildLine { stream?: string; aux?: { ID?: string }; error?: string; errorDetail?: { message?: string; code?: number } }

function keyValues(list: string[], env: Record<string, string | undefined>, fromEnv: boolean): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i < 0) { if (fromEnv) out[kv] = env[kv] ?? null; else out[kv] = ''; } else out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export const buildVerb: VerbSpec = {
  usage: 'build [OPTIONS] PATH | URL | -',
  summary: 'Build an image from a Dockerfile',
  aliases: ['image build', 'build', 'builder build'],
  flags: [
    { long: 'tag', short: 't', kind: 'list', help: 'Name and optionally a tag in the "name:tag" format' },
    { long: 'file', short: 'f', kind: 'string', help: 'Name of the Dockerfile (Default is "PATH/Dockerfile")' },
    { long: 'build-arg', kind: 'list', help: 'Set build-time variables' },
    { long: 'label', kind: 'list', help: 'Set metadata for an image' },
    { long: 'target', kind: 'string', help: 'Set the target build stage to build.' },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Suppress the build output and print image ID on success' },
    { long: 'rm', kind: 'bool', help: 'Remove intermediate containers after a successful build (default true)' },
    { long: 'force-rm', kind: 'bool', help: 'Always remove intermediate containers' },
    { long: 'no-cache', kind: 'bool', help: 'Do not use cache when building the image' },
    { long: 'pull', kind: 'bool', help: 'Always attempt to pull a newer version of the image' },
    { long: 'cache-from', kind: 'list', help: 'Images to consider as cache sources' },
    { long: 'network', kind: 'string', help: 'Set the networking mode for the RUN instructions during build (default "default")' },
    { long: 'platform', kind: 'string', help: 'Set platform if server is multi-platform capable' },
    { long: 'iidfile', kind: 'string', help: 'Write the image ID to the file' },
    { long: 'add-host', kind: 'list', help: 'Add a custom host-to-IP mapping ("host:ip")' },
  ],
  args: { exact: 1 },
  async run(ctx, flags) {
    const path = flags.args[0];
    if (path === '-' || /^(https?|git):\/\//.test(path)) throw new ExitError(`${ctx.prog} build: only a local context directory is supported by berth build (use the docker CLI for "${path}")`, 1);
    let packed;
    try { packed = packContext(path, flags.string('file')); } catch (err) { throw new ExitError((err as Error).message, 1); }
    const quiet = flags.bool('quiet');
    const keepContainers = flags.has('rm') && !flags.bool('rm');
    const res = await ctx.client().transport.request({
      method: 'POST', path: '/build', body: packed.tar, headers: { 'Content-Type': 'application/x-tar' },
      query: {
        t: flags.list('tag'), dockerfile: packed.dockerfile, buildargs: JSON.stringify(keyValues(flags.list('build-arg'), ctx.env, true)),
        labels: JSON.stringify(keyValues(flags.list('label'), ctx.env, false)), target: flags.string('target'), q: quiet || undefined,
        rm: keepContainers ? '0' : '1', forcerm: flags.bool('force-rm') || undefined, nocache: flags.bool('no-cache') || undefined,
        pull: flags.bool('pull') || undefined, cachefrom: JSON.stringify(flags.list('cache-from')), networkmode: flags.string('network') ?? 'default',
        platform: flags.string('platform'), extrahosts: flags.list('add-host').join(',') || undefined,
      },
    });
    let id = '';
    let stepStart = ctx.now();
    let inStep = false;
    const took = () => { if (inStep && !quiet) ctx.stdout.write(` ---> took ${((ctx.now() - stepStart) / 1000).toFixed(3)}s\n`); };
    for await (const m of jsonLines<BuildLine>(res)) {
      if (m.error || m.errorDetail) {
        took();
        throw new ExitError(m.errorDetail?.message ?? m.error ?? 'build failed', m.errorDetail?.code ?? 1);
      }
      if (m.aux?.ID) { id = m.aux.ID; continue; }
      if (m.stream === undefined) continue;
      if (quiet) { if (/^sha256:/.test(m.stream)) id = m.stream.trim(); continue; }
      if (m.stream.startsWith('Step ') || m.stream.startsWith('Successfully built')) { took(); inStep = m.stream.startsWith('Step '); stepStart = ctx.now(); }
      ctx.stdout.write(m.stream);
    }
    if (quiet) ctx.stdout.write(`${id}\n`);
    const iid = flags.string('iidfile');
    if (iid && id) writeFileSync(iid, id);
    return 0;
  },
};
