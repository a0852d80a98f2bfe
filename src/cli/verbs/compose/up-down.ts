// `berth compose up` and `down`.
import { up, attachLogs } from '../../../compose/engine/up.js';
import { down } from '../../../compose/engine/down.js';
import { projectContainers } from '../../../compose/engine/containers.js';
import { invalidArgument } from '../../../compose/errors.js';
import type { ComposeVerb } from './context.js';

function parseScale(list: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of list) {
    const m = /^([^=]+)=(\d+)$/.exec(s);
    if (!m) throw invalidArgument(`invalid --scale value "${s}": expected SERVICE=NUM`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

export const upVerb: ComposeVerb = {
  usage: 'up [OPTIONS] [SERVICE...]',
  summary: 'Create and start containers',
  flags: [
    { long: 'detach', short: 'd', kind: 'bool', help: 'Detached mode: Run containers in the background' },
    { long: 'build', kind: 'bool', help: 'Build images before starting containers' },
    { long: 'no-build', kind: 'bool', help: "Don't build an image, even if it's policy" },
    { long: 'pull', kind: 'string', help: 'Pull image before running ("always"|"missing"|"never")', defaultText: '"policy"' },
    { long: 'force-recreate', kind: 'bool', help: "Recreate containers even if their configuration and image haven't changed" },
    { long: 'no-recreate', kind: 'bool', help: "If containers already exist, don't recreate them. Incompatible with --force-recreate." },
    { long: 'no-start', kind: 'bool', help: "Don't start the services after creating them" },
    { long: 'no-deps', kind: 'bool', help: "Don't start linked services" },
    { long: 'wait', kind: 'bool', help: 'Wait for services to be running|healthy. Implies detached mode.' },
    { long: 'remove-orphans', kind: 'bool', help: 'Remove containers for services not defined in the Compose file' },
    { long: 'scale', kind: 'list', help: 'Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.' },
    { long: 'timeout', short: 't', kind: 'int', help: 'Use this timeout in seconds for container shutdown when attached or when containers are already running' },
    { long: 'quiet-pull', kind: 'bool', help: 'Pull without printing progress information' },
  ],
  async run(cc, flags) {
    if (flags.bool('force-recreate') && flags.bool('no-recreate')) throw invalidArgument('--force-recreate and --no-recreate are incompatible');
    const project = cc.project(flags.args);
    const startedAt = Math.floor(cc.cli.now() / 1000);
    const detach = flags.bool('detach') || flags.bool('wait');
    const selected = await up(cc.api, project, cc.progress, {
      services: flags.args, noDeps: flags.bool('no-deps'), build: flags.bool('build'), noBuild: flags.bool('no-build'),
      pull: flags.string('pull'), forceRecreate: flags.bool('force-recreate'), noRecreate: flags.bool('no-recreate'),
      noStart: flags.bool('no-start'), removeOrphans: flags.bool('remove-orphans'), scale: parseScale(flags.list('scale')),
      wait: flags.bool('wait'), timeout: flags.int('timeout'),
    });
    if (detach || flags.bool('no-start')) return 0;
    // Attached: stream logs until every container exits, or stop them all on the first Ctrl-C.
    let interrupted = false;
    let onSignal!: () => void;
    const stop = new Promise<void>((resolve) => {
      onSignal = () => {
        if (interrupted) process.exit(130);
        interrupted = true;
        cc.cli.stderr.write('Gracefully Stopping... press Ctrl+C again to force\n');
        resolve();
      };
    });
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await attachLogs(cc.api, project, selected, cc.cli.stdout, cc.colour(), stop, startedAt);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (interrupted) {
      const containers = await projectContainers(cc.api, project.name, { services: selected });
      await Promise.all(containers.filter((c) => c.State === 'running').map(async (c) => {
        const name = (c.Names[0] ?? '').replace(/^\//, '');
        cc.progress.event('Container', name, 'Stopping');
        await cc.api.stop(c.Id, flags.int('timeout'));
        cc.progress.event('Container', name, 'Stopped');
      }));
      return 130;
    }
    return 0;
  },
};

export const downVerb: ComposeVerb = {
  usage: 'down [OPTIONS] [SERVICES]',
  summary: 'Stop and remove containers, networks',
  flags: [
    { long: 'volumes', short: 'v', kind: 'bool', help: 'Remove named volumes declared in the "volumes" section of the Compose file and anonymous volumes attached to containers' },
    { long: 'rmi', kind: 'string', help: 'Remove images used by services. "local" remove only images that don\'t have a custom tag ("local"|"all")' },
    { long: 'remove-orphans', kind: 'bool', help: 'Remove containers for services not defined in the Compose file' },
    { long: 'timeout', short: 't', kind: 'int', help: 'Specify a shutdown timeout in seconds' },
  ],
  args: { max: 0 },
  async run(cc, flags) {
    const rmi = flags.string('rmi');
    if (rmi !== undefined && rmi !== 'all' && rmi !== 'local') throw invalidArgument(`invalid value for --rmi: "${rmi}" (expected "local" or "all")`);
    const project = cc.project();
    await down(cc.api, project, cc.progress, { volumes: flags.bool('volumes'), rmi, removeOrphans: flags.bool('remove-orphans'), timeout: flags.int('timeout'), everything: cc.fromLabels });
    return 0;
  },
};
