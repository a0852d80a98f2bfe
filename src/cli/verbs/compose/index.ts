// `berth compose [OPTIONS] COMMAND`: the compose-level flags (-f, -p, --project-directory, --env-file,
// --profile, --ansi, --progress), then one subcommand with its own flags, as docker compose v2 parses.
import type { VerbSpec } from '../../command.js';
import { renderHelp } from '../../command.js';
import { formatFlagUsages, parseFlags, UsageError, type FlagSpec } from '../../flags.js';
import { ComposeError } from '../../../compose/errors.js';
import { ExitError } from '../../command.js';
import { ComposeContext, type ComposeVerb } from './context.js';

type Loader = () => Promise<ComposeVerb>;

const sub: Record<string, Loader> = {
  up: () => import('./up-down.js').then((m) => m.upVerb),
  down: () => import('./up-down.js').then((m) => m.downVerb),
  ps: () => import('./inspect-verbs.js').then((m) => m.psVerb),
  ls: () => import('./inspect-verbs.js').then((m) => m.lsVerb),
  config: () => import('./inspect-verbs.js').then((m) => m.configVerb),
  images: () => import('./inspect-verbs.js').then((m) => m.imagesVerb),
  top: () => import('./inspect-verbs.js').then((m) => m.topVerb),
  port: () => import('./inspect-verbs.js').then((m) => m.portVerb),
  start: () => import('./lifecycle-verbs.js').then((m) => m.startVerb),
  stop: () => import('./lifecycle-verbs.js').then((m) => m.stopVerb),
  restart: () => import('./lifecycle-verbs.js').then((m) => m.restartVerb),
  kill: () => import('./lifecycle-verbs.js').then((m) => m.killVerb),
  pause: () => import('./lifecycle-verbs.js').then((m) => m.pauseVerb),
  unpause: () => import('./lifecycle-verbs.js').then((m) => m.unpauseVerb),
  rm: () => import('./lifecycle-verbs.js').then((m) => m.rmVerb),
  wait: () => import('./lifecycle-verbs.js').then((m) => m.waitVerb),
  logs: () => import('./lifecycle-verbs.js').then((m) => m.logsVerb),
  exec: () => import('./exec-run.js').then((m) => m.execVerb),
  run: () => import('./exec-run.js').then((m) => m.runVerb),
  build: () => import('./image-verbs.js').then((m) => m.buildVerb),
  pull: () => import('./image-verbs.js').then((m) => m.pullVerb),
  push: () => import('./image-verbs.js').then((m) => m.pushVerb),
  events: () => import('./events-watch.js').then((m) => m.eventsVerb),
  watch: () => import('./events-watch.js').then((m) => m.watchVerb),
};

const composeFlags: FlagSpec[] = [
  { long: 'file', short: 'f', kind: 'list', help: 'Compose configuration files', valueName: 'stringArray' },
  { long: 'project-name', short: 'p', kind: 'string', help: 'Project name' },
  { long: 'project-directory', kind: 'string', help: 'Specify an alternate working directory\n(default: the path of the, first specified, Compose file)' },
  { long: 'env-file', kind: 'list', help: 'Specify an alternate environment file', valueName: 'stringArray' },
  { long: 'profile', kind: 'list', help: 'Specify a profile to enable', valueName: 'stringArray' },
  { long: 'ansi', kind: 'string', help: 'Control when to print ANSI control characters ("never"|"always"|"auto")', defaultText: '"auto"' },
  { long: 'progress', kind: 'string', help: 'Set type of progress output (auto, tty, plain, json, quiet)' },
];

const summaries: Record<string, string> = {
  build: 'Build or rebuild services', config: 'Parse, resolve and render compose file in canonical format',
  down: 'Stop and remove containers, networks', events: 'Receive real time events from containers',
  exec: 'Execute a command in a running container', images: 'List images used by the created containers',
  kill: 'Force stop service containers', logs: 'View output from containers', ls: 'List running compose projects',
  pause: 'Pause services', port: 'Print the public port for a port binding', ps: 'List containers', pull: 'Pull service images',
  push: 'Push service images', restart: 'Restart service containers', rm: 'Removes stopped service containers',
  run: 'Run a one-off command on a service', start: 'Start services', stop: 'Stop services', top: 'Display the running processes',
  unpause: 'Unpause services', up: 'Create and start containers', wait: 'Block until containers of all (or specified) services stop.',
  watch: 'Watch build context for service and rebuild/refresh containers when files are updated',
};

function usage(): string {
  const cmds = Object.keys(sub).sort().map((c) => `  ${c.padEnd(10)} ${summaries[c] ?? ''}`).join('\n');
  return `\nUsage:  berth compose [OPTIONS] COMMAND\n\nDefine and run multi-container applications with Berth\n\nOptions:\n${formatFlagUsages(composeFlags)}\n\nCommands:\n${cmds}\n\nRun 'berth compose COMMAND --help' for more information on a command.\n`;
}

export const composeVerb: VerbSpec = {
  usage: 'compose [OPTIONS] COMMAND',
  summary: 'Define and run multi-container applications',
  flags: composeFlags,
  interspersed: false,
  async run(ctx, flags) {
    const [name, ...rest] = flags.args;
    if (!name) { ctx.stdout.write(usage()); return 0; }
    const loader = sub[name];
    if (!loader) throw new UsageError(`unknown docker command: "compose ${name}"`, 1);
    const verb = await loader();
    const parsed = parseFlags(rest, verb.flags, { interspersed: verb.interspersed });
    const spec: VerbSpec = { usage: verb.usage, summary: verb.summary, flags: verb.flags, run: async () => 0 };
    if (parsed.helpRequested) { ctx.stdout.write(renderHelp('berth', `compose ${name}`, spec)); return 0; }
    if (verb.args?.min !== undefined && parsed.args.length < verb.args.min) throw new UsageError(`'berth compose ${name}' requires at least ${verb.args.min} argument${verb.args.min === 1 ? '' : 's'}`, 1);
    if (verb.args?.max !== undefined && parsed.args.length > verb.args.max) throw new UsageError(`'berth compose ${name}' accepts at most ${verb.args.max} argument${verb.args.max === 1 ? '' : 's'}`, 1);
    const ansi = flags.string('ansi') ?? 'auto';
    if (ansi !== 'auto' && ansi !== 'never' && ansi !== 'always') throw new UsageError(`invalid --ansi value "${ansi}"`, 1);
    const progress = flags.string('progress');
    if (progress !== undefined && !['auto', 'tty', 'plain', 'quiet'].includes(progress)) throw new UsageError(`--progress ${progress} is not supported by berth compose (auto, tty, plain, quiet)`, 1);
    const cc = new ComposeContext(ctx, {
      files: flags.list('file'), projectName: flags.string('project-name'), projectDirectory: flags.string('project-directory'),
      envFiles: flags.list('env-file'), profiles: flags.list('profile'), ansi, progress,
    });
    try {
      return await verb.run(cc, parsed);
    } catch (err) {
      if (err instanceof ComposeError) throw new ExitError(err.message, err.exitCode);
      throw err;
    }
  },
};
