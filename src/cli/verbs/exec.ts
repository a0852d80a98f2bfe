// `berth exec`: create an exec, start it attached (hijacked; raw terminal with -t) or detached (-d),
// forward stdin (-i, with the detach keys when -t), keep the terminal size, and exit with its code.
import type { VerbSpec } from '../command.js';
import type { HijackedStream } from '../../client/transport.js';
import { enterRawMode, followTerminalSize, forwardStdin, pumpOutput } from './attach-io.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from './detach-keys.js';

const enc = encodeURIComponent;

export const execVerb: VerbSpec = {
  usage: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  summary: 'Execute a command in a running container',
  aliases: ['container exec', 'exec'],
  flags: [
    { long: 'detach', short: 'd', kind: 'bool', help: 'Detached mode: run command in the background' },
    { long: 'detach-keys', kind: 'string', help: 'Override the key sequence for detaching a container' },
    { long: 'env', short: 'e', kind: 'list', help: 'Set environment variables' },
    { long: 'interactive', short: 'i', kind: 'bool', help: 'Keep STDIN open even if not attached' },
    { long: 'privileged', kind: 'bool', help: 'Give extended privileges to the command' },
    { long: 'tty', short: 't', kind: 'bool', help: 'Allocate a pseudo-TTY' },
    { long: 'user', short: 'u', kind: 'string', help: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    { long: 'workdir', short: 'w', kind: 'string', help: 'Working directory inside the container' },
  ],
  interspersed: false,
  args: { min: 2 },
  async run(ctx, flags) {
    const [container, ...cmd] = flags.args;
    const client = ctx.client();
    const t = client.transport;
    const detach = flags.bool('detach');
    const tty = flags.bool('tty');
    const interactive = flags.bool('interactive');
    const detachKeys = flags.string('detach-keys');
    const keys = parseDetachKeys(detachKeys ?? DEFAULT_DETACH_KEYS);
    const info = await client.containerInspect(container);
    const rows = (ctx.stdout as { rows?: number }).rows;
    const cols = ctx.stdout.columns;
    const created = await t.json({
      method: 'POST', path: `/containers/${enc(info.Id)}/exec`,
      json: {
        AttachStdin: interactive && !detach, AttachStdout: !detach, AttachStderr: !detach, Tty: tty, DetachKeys: detachKeys ?? '',
        Env: flags.list('env'), User: flags.string('user') ?? '', WorkingDir: flags.string('workdir') ?? '', Privileged: flags.bool('privileged'),
        Cmd: cmd, ...(tty && rows && cols ? { ConsoleSize: [rows, cols] } : {}),
      },
    }) as { Id: string };
    if (detach) {
      await t.text({ method: 'POST', path: `/exec/${created.Id}/start`, json: { Detach: true, Tty: tty } });
      return 0;
    }
    const conn: HijackedStream = await t.hijack({ method: 'POST', path: `/exec/${created.Id}/start`, json: { Detach: false, Tty: tty } });
    const output = pumpOutput(conn.output, tty, ctx.stdout, ctx.stderr);
    const restoreTerminal = tty && interactive ? enterRawMode(ctx) : () => undefined;
    let restoreStdin: (() => void) | undefined;
    if (interactive) restoreStdin = forwardStdin(ctx, conn, tty ? { keys, onDetach: () => conn.close() } : undefined);
    else conn.closeWrite();
    const stopResizing = followTerminalSize(ctx, tty, (h, w) => t.text({ method: 'POST', path: `/exec/${created.Id}/resize`, query: { h, w } }));
    try {
      await output;
    } finally {
      restoreStdin?.();
      restoreTerminal();
      stopResizing();
      conn.close();
    }
    const state = await t.json({ method: 'GET', path: `/exec/${created.Id}/json` }) as { ExitCode: number | null; Running: boolean };
    return state.Running ? 0 : state.ExitCode ?? 0;
  },
};
