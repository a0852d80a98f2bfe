// `berth run` and `berth create`, following the docker CLI's request order: create (pulling on "No such
// image"), then for a foreground run attach (hijacked), register the wait (`removed` with --rm, else
// `next-exit`), start, stream output, and exit with the container's status.
import type { CliContext, VerbSpec } from '../command.js';
import { ExitError } from '../command.js';
import type { FlagSpec, ParsedFlags } from '../flags.js';
import { containerFlags, containerOptions, type ContainerOptions } from './container-flags.js';
import { DaemonError } from '../../client/errors.js';
import type { HijackedStream } from '../../client/transport.js';
import { pumpOutput, forwardStdin, enterRawMode, startFailureCode, followTerminalSize, proxySignals } from './attach-io.js';
import { parseDetachKeys, DEFAULT_DETACH_KEYS } from './detach-keys.js';

const runOnlyFlags: FlagSpec[] = [
  { long: 'detach', short: 'd', kind: 'bool', help: 'Run container in background and print container ID' },
  { long: 'sig-proxy', kind: 'bool', help: 'Proxy received signals to the process', defaultText: 'true' },
  { long: 'detach-keys', kind: 'string', help: 'Override the key sequence for detaching a container' },
];

/** `docker: <message>` plus the hint, with run/create's exit status. */
function runError(ctx: CliContext, verb: string, message: string, code: number): ExitError {
  return new ExitError(`${ctx.prog}: ${message}\n\nRun '${ctx.prog} ${verb} --help' for more information`, code);
}

function splitImageRef(ref: string): { name: string; tag?: string } {
  if (ref.includes('@')) return { name: ref };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref, tag: 'latest' };
}

async function pullImage(ctx: CliContext, image: string): Promise<void> {
  const { name, tag } = splitImageRef(image);
  const { registryAuthHeader, registryOfImage } = await import('../credentials.js');
  const res = await ctx.client().imagePull(name, tag, { auth: registryAuthHeader(ctx.env, registryOfImage(name)) });
  const { ProgressRenderer } = await import('../format/progress.js');
  const { jsonLines } = await import('../../client/transport.js');
  const renderer = new ProgressRenderer({ write: (s) => ctx.stderr.write(s), isTerminal: !!ctx.stderr.isTTY, width: ctx.stderr.columns ?? 80 });
  for await (const m of jsonLines<Record<string, unknown>>(res)) renderer.push(m);
}

/** Creates the container, pulling the image first when the daemon does not have it. */
export async function createContainer(ctx: CliContext, opts: ContainerOptions, verb: string): Promise<string> {
  const client = ctx.client();
  const create = () => client.containerCreate(opts.body, opts.name, opts.platform);
  try {
    if (opts.pull === 'always') await pullImage(ctx, opts.body.Image);
    const res = await create();
    for (const w of res.Warnings ?? []) ctx.stderr.write(`WARNING: ${w}\n`);
    return res.Id;
  } catch (err) {
    if (!(err instanceof DaemonError)) throw err;
    if (err.status !== 404 || !/No such image/i.test(err.daemonMessage) || opts.pull === 'never') throw runError(ctx, verb, err.message, 125);
    const ref = opts.body.Image.includes(':') || opts.body.Image.includes('@') ? opts.body.Image : `${opts.body.Image}:latest`;
    ctx.stderr.write(`Unable to find image '${ref}' locally\n`);
    try {
      await pullImage(ctx, opts.body.Image);
      const res = await create();
      return res.Id;
    } catch (pullErr) {
      if (pullErr instanceof DaemonError) throw runError(ctx, verb, pullErr.message, 125);
      throw runError(ctx, verb, (pullErr as Error).message, 125);
    }
  }
}

async function runForeground(ctx: CliContext, id: string, opts: ContainerOptions, sigProxy: boolean, detachKeys: Buffer): Promise<number> {
  const client = ctx.client();
  const tty = !!opts.body.Tty;
  const { stdin, stdout, stderr } = opts.attach;
  let conn: HijackedStream | undefined;
  if (stdin || stdout || stderr) conn = await client.containerAttach(id, { stream: true, stdin, stdout, stderr });
  const wait = client.containerWaitRegistered(id, opts.body.HostConfig.AutoRemove ? 'removed' : 'next-exit');
  // The daemon answers the wait's headers once it is registered; do not start before that.
  await Promise.race([wait.registered, new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => undefined);
  const output = conn ? pumpOutput(conn.output, tty, ctx.stdout, ctx.stderr) : Promise.resolve();
  let restoreStdin: (() => void) | undefined;
  const restoreTerminal = tty && stdin ? enterRawMode(ctx) : () => undefined;
  try {
    await client.containerStart(id);
  } catch (err) {
    restoreTerminal();
    conn?.close();
    const msg = err instanceof Error ? err.message : String(err);
    throw runError(ctx, 'run', msg, err instanceof DaemonError ? startFailureCode(err.daemonMessage) : 125);
  }
  // ctrl-p,ctrl-q (or --detach-keys) lets go of a TTY container and leaves it running, as docker does.
  let detached!: () => void;
  const detachedP = new Promise<void>((r) => { detached = r; });
  if (conn && stdin) restoreStdin = forwardStdin(ctx, conn, tty ? { keys: detachKeys, onDetach: () => detached() } : undefined);
  const stopResizing = followTerminalSize(ctx, tty, (h, w) => client.containerResize(id, h, w));
  const stopProxy = proxySignals(sigProxy && !tty, (sig) => client.containerKill(id, sig));
  try {
    const status = await Promise.race([wait.result, detachedP.then(() => undefined)]);
    if (!status) { conn?.close(); return 0; }
    // Output normally ends with the container; don't hang on a daemon that keeps the stream open.
    await Promise.race([output, new Promise((r) => setTimeout(r, 3000).unref())]);
    conn?.close();
    if (status.Error?.Message) ctx.stderr.write(`${ctx.prog}: ${status.Error.Message}\n`);
    return status.StatusCode;
  } catch (err) {
    if (err instanceof DaemonError) throw new ExitError(err.message, 125);
    throw err;
  } finally {
    restoreStdin?.();
    restoreTerminal();
    stopResizing();
    stopProxy();
  }
}

export const runVerb: VerbSpec = {
  usage: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  summary: 'Create and run a new container from an image',
  aliases: ['container run', 'run'],
  // Sorted without localeCompare: loading ICU costs ~9 ms of start-up.
  flags: [...containerFlags, ...runOnlyFlags].sort((a, b) => (a.long < b.long ? -1 : 1)),
  interspersed: false,
  args: { min: 1 },
  async run(ctx: CliContext, flags: ParsedFlags): Promise<number> {
    const detach = flags.bool('detach');
    const opts = containerOptions(flags, ctx.env, detach, 'run', ctx.prog);
    const detachKeys = parseDetachKeys(flags.string('detach-keys') ?? DEFAULT_DETACH_KEYS);
    if (opts.body.Tty && ctx.stdout.isTTY && ctx.stdout.columns) {
      opts.body.HostConfig.ConsoleSize = [(ctx.stdout as { rows?: number }).rows ?? 24, ctx.stdout.columns];
    }
    const id = await createContainer(ctx, opts, 'run');
    if (detach) {
      try { await ctx.client().containerStart(id); } catch (err) {
        if (err instanceof DaemonError) throw runError(ctx, 'run', err.message, startFailureCode(err.daemonMessage));
        throw err;
      }
      ctx.stdout.write(`${id}\n`);
      return 0;
    }
    const sigProxy = flags.has('sig-proxy') ? flags.bool('sig-proxy') : true;
    return runForeground(ctx, id, opts, sigProxy, detachKeys);
  },
};

export const createVerb: VerbSpec = {
  usage: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  summary: 'Create a new container',
  aliases: ['container create', 'create'],
  flags: containerFlags,
  interspersed: false,
  args: { min: 1 },
  async run(ctx, flags) {
    const opts = containerOptions(flags, ctx.env, false, 'create', ctx.prog);
    const id = await createContainer(ctx, opts, 'create');
    ctx.stdout.write(`${id}\n`);
    return 0;
  },
};
