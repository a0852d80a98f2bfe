// `berth start`: start each container; with -a, attach to the (single) container first, wait for it and
// exit with its status, as `docker start -a` does.
import type { VerbSpec } from '../command.js';
import { ExitError } from '../command.js';
import { DaemonError } from '../../client/errors.js';
import { eachItem, reportItems } from './bulk.js';
import { pumpOutput, forwardStdin, enterRawMode } from './attach-io.js';

export const startVerb: VerbSpec = {
  usage: 'start [OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Start one or more stopped containers',
  aliases: ['container start', 'start'],
  flags: [
    { long: 'attach', short: 'a', kind: 'bool', help: "Attach STDOUT/STDERR and forward signals" },
    { long: 'detach-keys', kind: 'string', help: 'Override the key sequence for detaching a container' },
    { long: 'interactive', short: 'i', kind: 'bool', help: "Attach container's STDIN" },
  ],
  args: { min: 1 },
  async run(ctx, flags) {
    const attach = flags.bool('attach');
    const interactive = flags.bool('interactive');
    const client = ctx.client();
    if (!attach && !interactive) {
      const reports = await eachItem(ctx, flags.args, async (c) => { await client.containerStart(c); return c; });
      return reportItems(ctx, reports, (failed) => `Error: failed to start containers: ${failed.join(', ')}`);
    }
    if (flags.args.length > 1) throw new ExitError('you cannot start and attach multiple containers at once', 1);
    const info = await client.containerInspect(flags.args[0]);
    const tty = !!info.Config.Tty;
    const withStdin = interactive && !!info.Config.OpenStdin;
    const conn = await client.containerAttach(info.Id, { stream: true, stdin: withStdin, stdout: true, stderr: true });
    const wait = client.containerWaitRegistered(info.Id, 'next-exit');
    await Promise.race([wait.registered, new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => undefined);
    const output = pumpOutput(conn.output, tty, ctx.stdout, ctx.stderr);
    const restoreTerminal = tty && withStdin ? enterRawMode(ctx) : () => undefined;
    try {
      await client.containerStart(info.Id);
    } catch (err) {
      restoreTerminal();
      conn.close();
      if (err instanceof DaemonError) throw new ExitError(`${err.message}\nError: failed to start containers: ${flags.args[0]}`, 1);
      throw err;
    }
    const restore = withStdin ? forwardStdin(ctx, conn) : undefined;
    try {
      const status = await wait.result;
      await Promise.race([output, new Promise((r) => setTimeout(r, 3000).unref())]);
      conn.close();
      return status.StatusCode;
    } finally {
      restore?.();
      restoreTerminal();
    }
  },
};
