// save, load, import: tar archives to and from the daemon, with load/import's JSON progress stream drawn
// like docker's jsonmessage (bars on a terminal, plain lines otherwise).
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { ApiResponse } from '../../client/transport.js';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CliContext, VerbSpec } from '../command.js';
import { ExitError } from '../command.js';
import { jsonLines } from '../../client/transport.js';
import type { JsonMessage } from '../../client/types.js';
import { ProgressRenderer, JsonMessageError } from '../format/progress.js';

/** Prints a JSON-lines progress response (or copies a non-JSON body) to stdout. */
export async function displayResponse(ctx: CliContext, res: ApiResponse): Promise<void> {
  if (!String(res.headers['content-type'] ?? '').includes('json')) {
    await pipeline(res, ctx.stdout, { end: false });
    return;
  }
  const renderer = new ProgressRenderer({ write: (s) => ctx.stdout.write(s), isTerminal: !!ctx.stdout.isTTY, width: ctx.stdout.columns ?? 80 });
  try {
    for await (const m of jsonLines<JsonMessage>(res)) renderer.push(m);
  } catch (err) {
    if (err instanceof JsonMessageError) throw new ExitError(err.message, 1);
    throw err;
  }
}

function openInput(ctx: CliContext, path: string | undefined): Readable {
  if (!path || path === '-') return ctx.stdin;
  const s = createReadStream(path);
  return s;
}

export const saveVerb: VerbSpec = {
  usage: 'save [OPTIONS] IMAGE [IMAGE...]',
  summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  aliases: ['image save', 'save'],
  flags: [
    { long: 'output', short: 'o', kind: 'string', help: 'Write to a file, instead of STDOUT' },
    { long: 'platform', kind: 'list', help: 'Save only the given platform(s)' },
  ],
  args: { min: 1 },
  async run(ctx, flags) {
    const output = flags.string('output');
    if (!output && ctx.stdout.isTTY) throw new ExitError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
    const res = await ctx.client().imageSave(flags.args);
    if (!output) { await pipeline(res, ctx.stdout, { end: false }); return 0; }
    // Write beside the target and rename, so a failed save never leaves a truncated archive.
    const tmp = join(dirname(output), `.${basename(output)}.berth-save-${process.pid}`);
    try {
      await pipeline(res, createWriteStream(tmp, { mode: 0o600 }));
      renameSync(tmp, output);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw new ExitError(`failed to save image: ${(err as Error).message}`, 1);
    }
    return 0;
  },
};

export const loadVerb: VerbSpec = {
  usage: 'load [OPTIONS]',
  summary: 'Load an image from a tar archive or STDIN',
  aliases: ['image load', 'load'],
  flags: [
    { long: 'input', short: 'i', kind: 'string', help: 'Read from tar archive file, instead of STDIN' },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Suppress the load output' },
    { long: 'platform', kind: 'list', help: 'Load only the given platform(s)' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const input = flags.string('input');
    if (!input && ctx.stdin.isTTY) throw new ExitError('requested load from stdin, but stdin is empty', 1);
    const body = openInput(ctx, input);
    const opened = new Promise<void>((resolve, reject) => {
      if (!input) { resolve(); return; }
      body.once('open', () => resolve());
      body.once('error', (err: NodeJS.ErrnoException) => reject(new ExitError(`open ${input}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`, 1)));
    });
    await opened;
    // Like docker: progress bars only when a terminal shows them.
    const quiet = flags.bool('quiet') || !ctx.stdout.isTTY;
    const res = await ctx.client().imageLoad(body, quiet);
    await displayResponse(ctx, res);
    return 0;
  },
};

export const importVerb: VerbSpec = {
  usage: 'import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  summary: 'Import the contents from a tarball to create a filesystem image',
  aliases: ['image import', 'import'],
  flags: [
    { long: 'change', short: 'c', kind: 'list', help: 'Apply Dockerfile instruction to the created image' },
    { long: 'message', short: 'm', kind: 'string', help: 'Set commit message for imported image' },
    { long: 'platform', kind: 'string', help: 'Set platform if server is multi-platform capable' },
  ],
  args: { min: 1 },
  async run(ctx, flags) {
    const [source, ref] = flags.args;
    const isUrl = /^https?:\/\//.test(source);
    // As the docker CLI: the whole reference goes in `repo` (the daemon splits off the tag).
    const repo = ref;
    const tag = undefined;
    let body: Readable | undefined;
    if (!isUrl) {
      body = openInput(ctx, source);
      if (source !== '-') {
        await new Promise<void>((resolve, reject) => {
          body!.once('open', () => resolve());
          body!.once('error', (err: NodeJS.ErrnoException) => reject(new ExitError(`open ${source}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`, 1)));
        });
      }
    }
    const res = await ctx.client().imageImport(body, {
      fromSrc: isUrl ? source : '-', repo, tag, message: flags.string('message'), changes: flags.list('change'), platform: flags.string('platform'),
    });
    await displayResponse(ctx, res);
    return 0;
  },
};
