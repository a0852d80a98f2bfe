// `berth`: global flags, then a verb (or `container|image|system <verb>`), loaded lazily and run
// against the daemon. Maps every failure to docker's message and exit status.
import { parseFlags, UsageError, type FlagSpec } from './flags.js';
import { checkArgs, ExitError, renderHelp, usageLine, type CliContext, type VerbSpec } from './command.js';
import { topLevel, groups, summaries } from './registry.js';
import { DaemonError, ConnectError } from '../client/errors.js';
import { EngineClient } from '../client/engine-client.js';

const PROG = 'berth';

const globalFlags: FlagSpec[] = [
  { long: 'host', short: 'H', kind: 'string', help: 'Daemon socket to connect to', valueName: 'string' },
  { long: 'tls', kind: 'bool', help: 'Use TLS; implied by --tlsverify' },
  { long: 'tlsverify', kind: 'bool', help: 'Use TLS and verify the remote' },
  { long: 'tlscacert', kind: 'string', help: 'Trust certs signed only by this CA' },
  { long: 'tlscert', kind: 'string', help: 'Path to TLS certificate file' },
  { long: 'tlskey', kind: 'string', help: 'Path to TLS key file' },
  { long: 'debug', short: 'D', kind: 'bool', help: 'Enable debug mode' },
  { long: 'log-level', short: 'l', kind: 'string', help: 'Set the logging level', defaultText: '"info"' },
  { long: 'config', kind: 'string', help: 'Location of client config files', hidden: true },
  { long: 'context', short: 'c', kind: 'string', help: 'Name of the context to use', hidden: true },
  { long: 'version', short: 'v', kind: 'bool', help: 'Print version information and quit' },
];

function mainUsage(): string {
  const cmds = Object.keys(topLevel).sort().map((c) => `  ${c.padEnd(11)} ${summaries[c] ?? ''}`).join('\n');
  const mgmt = Object.keys(groups).map((g) => `  ${g.padEnd(11)} ${summaries[g]}`).join('\n');
  return `\nUsage:  ${PROG} [OPTIONS] COMMAND\n\nA container engine speaking the Docker Engine API\n\nManagement Commands:\n${mgmt}\n\nCommands:\n${cmds}\n\nGlobal Options:\n${formatGlobal()}\n\nRun '${PROG} COMMAND --help' for more information on a command.\n`;
}

function formatGlobal(): string {
  return globalFlags.filter((f) => !f.hidden).map((f) => `${f.short ? `  -${f.short}, ` : '      '}--${f.long}${f.kind === 'bool' ? '' : ' string'}`.padEnd(28) + f.help).join('\n');
}

function groupUsage(group: string): string {
  const subs = Object.keys(groups[group]).sort().map((s) => `  ${s.padEnd(10)} ${summaries[`${group} ${s}`] ?? summaries[s] ?? ''}`).join('\n');
  return `\nUsage:  ${PROG} ${group} COMMAND\n\n${summaries[group]}\n\nCommands:\n${subs}\n\nRun '${PROG} ${group} COMMAND --help' for more information on a command.\n`;
}

export async function runCli(argv: string[], ctx: Omit<CliContext, 'client'>): Promise<number> {
  let path = '';
  let spec: VerbSpec | undefined;
  try {
    const global = parseFlags(argv, globalFlags, { interspersed: false });
    if (global.bool('version')) {
      ctx.stdout.write(`Berth version 0.1.0, build berth\n`);
      return 0;
    }
    const [first, ...rest] = global.args;
    if (global.helpRequested || !first) { ctx.stdout.write(mainUsage()); return 0; }
    let loader = topLevel[first];
    let verbArgs = rest;
    path = first;
    if (groups[first]) {
      const sub = rest[0];
      if (!sub || sub === '--help' || sub === '-h') { ctx.stdout.write(groupUsage(first)); return 0; }
      loader = groups[first][sub];
      path = `${first} ${sub}`;
      verbArgs = rest.slice(1);
      if (!loader) {
        ctx.stderr.write(`${PROG}: unknown command: ${PROG} ${first} ${sub}\n\nUsage:  ${PROG} ${first}\n\nRun '${PROG} ${first} --help' for more information\n`);
        return 1;
      }
    }
    if (!loader) {
      ctx.stderr.write(`${PROG}: unknown command: ${PROG} ${first}\n\nRun '${PROG} --help' for more information\n`);
      return 1;
    }
    spec = await loader();
    const flags = parseFlags(verbArgs, spec.flags, { interspersed: spec.interspersed });
    if (flags.helpRequested) { ctx.stdout.write(renderHelp(PROG, path, spec)); return 0; }
    checkArgs(PROG, path, spec, flags.args);
    let client: EngineClient | undefined;
    // Copy descriptors, not values: ctx.stdin is a lazy getter (touching process.stdin opens a handle).
    const full = Object.defineProperties({}, Object.getOwnPropertyDescriptors(ctx)) as CliContext;
    full.client = () => (client ??= EngineClient.fromFlags({
        host: global.string('host'), tls: global.bool('tls'), tlsVerify: global.has('tlsverify') ? global.bool('tlsverify') : undefined,
        tlsCaCert: global.string('tlscacert'), tlsCert: global.string('tlscert'), tlsKey: global.string('tlskey'),
      }, ctx.env));
    return await spec.run(full, flags);
  } catch (err) {
    return reportError(ctx, err, path, spec);
  }
}

function reportError(ctx: Omit<CliContext, 'client'>, err: unknown, path: string, spec: VerbSpec | undefined): number {
  if (err instanceof UsageError) {
    const usage = spec ? `\n\nUsage:  ${usageLine(PROG, path, spec)}` : '';
    ctx.stderr.write(`${err.message}${usage}\n\nRun '${PROG}${path ? ' ' + path : ''} --help' for more information\n`);
    return err.exitCode;
  }
  if (err instanceof ExitError) {
    if (err.message) ctx.stderr.write(err.message.endsWith('\n') ? err.message : err.message + '\n');
    return err.exitCode;
  }
  if (err instanceof DaemonError || err instanceof ConnectError) {
    ctx.stderr.write(err.message + '\n');
    return 1;
  }
  ctx.stderr.write(`${(err as Error)?.message ?? String(err)}\n`);
  return 1;
}

/** Exits once stdout/stderr have flushed, so piped output is never cut short. */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => { if (--pending === 0) process.exit(code); };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

const isMain = !!process.argv[1] && /(?:cli[/\\]main\.js|(?:^|[/\\])berth)$/.test(process.argv[1]);
if (isMain) {
  // A reader that went away (`berth logs x | head -1`) ends us quietly, as a closed pipe ends docker.
  for (const s of [process.stdout, process.stderr]) s.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); });
  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    get stdin() { return process.stdin; },
    prog: PROG,
    env: process.env,
    now: () => Date.now(),
  }).then(exitAfterFlush, (err) => { process.stderr.write(`${String(err)}\n`); exitAfterFlush(1); });
}
