// `berth attach`: our stdio to a running container's (stdin only when it has one and --no-stdin is not
// given), raw terminal and size for tty containers, signals forwarded (--sig-proxy), detach keys.
import type { VerbSpec } from '../command.js';
import { ExitError } from '../command.js';
import { enterRawMode, followTerminalSize, forwardStdin, proxySignals, pumpOutput } from './attach-io.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from './detach-keys.js';

export const attachVerb: VerbSpec = {
  usage: 'attach [OPTIONS] CONTAINER',
  summary: 'Attach local standard input, output, and error streams to a running container',
  aliases: ['container attach', 'attach'],
  flags: [
    { long: 'detach-keys', kind: 'string', help: 'Override the key sequence for detaching a container' },
    { long: 'no-stdin', kind: 'bool', help: 'Do not attach STDIN' },
    { long: 'sig-proxy', kind: 'bool', help: 'Proxy all received signals to the process (default true)' },
  ],
  args: { exact: 1 },
  async run(ctx, flags) {
    const client = ctx.client();
    const info = await client.containerInspect(flags.args[0]);
    const state = info.State as { Running?: boolean; Paused?: boolean };
    if (!state.Running) throw new ExitError('You cannot attach to a stopped container, start it first', 1);
    if (state.Paused) throw new ExitError('You cannot attach to a paused container, unpause it first', 1);
    const tty = !!info.Config.Tty;
    const withStdin = !flags.bool('no-stdin') && !!info.Config.OpenStdin;
    const keys = parseDetachKeys(flags.string('detach-keys') ?? DEFAULT_DETACH_KEYS);
    const conn = await client.containerAttach(info.Id, { stream: true, stdin: withStdin, stdout: true, stderr: true });
    const wait = client.containerWaitRegistered(info.Id, 'next-exit');
    const output = pumpOutput(conn.output, tty, ctx.stdout, ctx.stderr);
    const restoreTerminal = tty && withStdin ? enterRawMode(ctx) : () => undefined;
    let detached = false;
    const restoreStdin = withStdin ? forwardStdin(ctx, conn, tty ? { keys, onDetach: () => { detached = true; conn.close(); } } : undefined) : undefined;
    const stopResizing = followTerminalSize(ctx, tty, (h, w) => client.containerResize(info.Id, h, w));
    const sigProxy = !flags.has('sig-proxy') || flags.bool('sig-proxy');
    const stopProxy = proxySignals(sigProxy && !tty, (sig) => client.containerKill(info.Id, sig));
    try {
      await output;
    } finally {
      restoreStdin?.();
      restoreTerminal();
      stopResizing();
      stopProxy();
    }
    if (detached) { ctx.stderr.write('read escape sequence\n'); return 0; }
    const status = await Promise.race([wait.result, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000).unref())]);
    return status?.StatusCode ?? 0;
  },
};
