// Compose verbs acting on existing containers: start, stop, restart, kill, pause, unpause, rm, wait, logs.
import type { ContainerSummary } from '../../../client/types.js';
import { nameOf, projectContainers, serviceOf } from '../../../compose/engine/containers.js';
import { awaitDependencies } from '../../../compose/engine/converge.js';
import { inDependencyOrder, selectServices } from '../../../compose/engine/graph.js';
import { displayName, followContainer, LogPrinter } from '../../../compose/engine/log-stream.js';
import type { Project } from '../../../compose/model/types.js';
import { writeAsync } from '../../command.js';
import { getTimestamp } from '../timestamps.js';
import type { ComposeContext, ComposeVerb } from './context.js';

/** Runs `fn` per container, grouped by service in (reverse) dependency order. */
async function eachInOrder(cc: ComposeContext, project: Project, services: string[], reverse: boolean, pick: (c: ContainerSummary) => boolean, fn: (c: ContainerSummary) => Promise<void>): Promise<void> {
  const all = (await projectContainers(cc.api, project.name, { services })).filter(pick);
  const names = [...new Set(all.map(serviceOf))].filter((s) => project.services[s]);
  await inDependencyOrder(project, names, async (s) => { await Promise.all(all.filter((c) => serviceOf(c) === s).map(fn)); }, reverse);
  // Containers of services no longer in the file still get the action.
  await Promise.all(all.filter((c) => !project.services[serviceOf(c)]).map(fn));
}

const timeoutFlag = { long: 'timeout', short: 't', kind: 'int' as const, help: 'Specify a shutdown timeout in seconds' };

export const startVerb: ComposeVerb = {
  usage: 'start [SERVICE...]',
  summary: 'Start services',
  flags: [{ long: 'wait', kind: 'bool', help: 'Wait for services to be running|healthy. Implies detached mode.' }],
  async run(cc, flags) {
    const project = cc.project(flags.args);
    const selected = selectServices(project, flags.args, true);
    const set = new Set(selected);
    const all = await projectContainers(cc.api, project.name, { services: selected });
    await inDependencyOrder(project, selected, async (s) => {
      await awaitDependencies(cc.api, project, project.services[s], cc.progress, set);
      await Promise.all(all.filter((c) => serviceOf(c) === s && c.State !== 'running').map(async (c) => {
        cc.progress.event('Container', nameOf(c), 'Starting');
        await cc.api.start(c.Id);
        cc.progress.event('Container', nameOf(c), 'Started');
      }));
    });
    if (flags.bool('wait')) { const { waitForServices } = await import('../../../compose/engine/up.js'); await waitForServices(cc.api, project, selected, cc.progress); }
    return 0;
  },
};

export const stopVerb: ComposeVerb = {
  usage: 'stop [OPTIONS] [SERVICE...]',
  summary: 'Stop services',
  flags: [timeoutFlag],
  async run(cc, flags) {
    const project = cc.project(flags.args);
    await eachInOrder(cc, project, flags.args, true, (c) => c.State === 'running' || c.State === 'paused' || c.State === 'restarting', async (c) => {
      cc.progress.event('Container', nameOf(c), 'Stopping');
      await cc.api.stop(c.Id, flags.int('timeout') ?? project.services[serviceOf(c)]?.stop_grace_period);
      cc.progress.event('Container', nameOf(c), 'Stopped');
    });
    return 0;
  },
};

export const restartVerb: ComposeVerb = {
  usage: 'restart [OPTIONS] [SERVICE...]',
  summary: 'Restart service containers',
  flags: [timeoutFlag],
  async run(cc, flags) {
    const project = cc.project(flags.args);
    await eachInOrder(cc, project, flags.args, false, () => true, async (c) => {
      cc.progress.event('Container', nameOf(c), 'Restarting');
      await cc.api.restart(c.Id, flags.int('timeout') ?? project.services[serviceOf(c)]?.stop_grace_period);
      cc.progress.event('Container', nameOf(c), 'Started');
    });
    return 0;
  },
};

export const killVerb: ComposeVerb = {
  usage: 'kill [OPTIONS] [SERVICE...]',
  summary: 'Force stop service containers',
  flags: [
    { long: 'signal', short: 's', kind: 'string', help: 'SIGNAL to send to the container', defaultText: '"SIGKILL"' },
  ],
  async run(cc, flags) {
    const list = (await projectContainers(cc.api, cc.projectName(), { services: flags.args })).filter((c) => c.State === 'running');
    await Promise.all(list.map(async (c) => {
      cc.progress.event('Container', nameOf(c), 'Killing');
      await cc.api.kill(c.Id, flags.string('signal') ?? 'SIGKILL');
      cc.progress.event('Container', nameOf(c), 'Killed');
    }));
    return 0;
  },
};

function pauseLike(verb: 'pause' | 'unpause'): ComposeVerb {
  return {
    usage: `${verb} [SERVICE...]`,
    summary: verb === 'pause' ? 'Pause services' : 'Unpause services',
    flags: [],
    async run(cc, flags) {
      const list = (await projectContainers(cc.api, cc.projectName(), { services: flags.args })).filter((c) => (verb === 'pause' ? c.State === 'running' : c.State === 'paused'));
      await Promise.all(list.map(async (c) => {
        cc.progress.event('Container', nameOf(c), verb === 'pause' ? 'Pausing' : 'Unpausing');
        await (verb === 'pause' ? cc.api.pause(c.Id) : cc.api.unpause(c.Id));
        cc.progress.event('Container', nameOf(c), verb === 'pause' ? 'Paused' : 'Unpaused');
      }));
      return 0;
    },
  };
}
export const pauseVerb = pauseLike('pause');
export const unpauseVerb = pauseLike('unpause');

export const rmVerb: ComposeVerb = {
  usage: 'rm [OPTIONS] [SERVICE...]',
  summary: 'Removes stopped service containers',
  flags: [
    { long: 'force', short: 'f', kind: 'bool', help: "Don't ask to confirm removal" },
    { long: 'stop', short: 's', kind: 'bool', help: 'Stop the containers, if required, before removing' },
    { long: 'volumes', short: 'v', kind: 'bool', help: 'Remove any anonymous volumes attached to containers' },
  ],
  async run(cc, flags) {
    let list = await projectContainers(cc.api, cc.projectName(), { services: flags.args, oneoff: 'all' });
    if (flags.bool('stop')) {
      await Promise.all(list.filter((c) => c.State === 'running').map(async (c) => {
        cc.progress.event('Container', nameOf(c), 'Stopping'); await cc.api.stop(c.Id); cc.progress.event('Container', nameOf(c), 'Stopped');
      }));
      list = await projectContainers(cc.api, cc.projectName(), { services: flags.args, oneoff: 'all' });
    }
    const stopped = list.filter((c) => c.State !== 'running' && c.State !== 'paused' && c.State !== 'restarting');
    if (!stopped.length) { cc.cli.stderr.write('No stopped containers\n'); return 0; }
    if (!flags.bool('force')) {
      // Without a terminal to confirm on, docker compose refuses; we follow suit rather than guess.
      cc.cli.stderr.write(`Going to remove ${stopped.map(nameOf).join(', ')}\n`);
      if (!cc.cli.stdin.isTTY) { cc.cli.stderr.write('Use -f to remove without confirmation.\n'); return 1; }
    }
    await Promise.all(stopped.map(async (c) => {
      cc.progress.event('Container', nameOf(c), 'Removing');
      await cc.api.remove(c.Id, { volumes: flags.bool('volumes') });
      cc.progress.event('Container', nameOf(c), 'Removed');
    }));
    return 0;
  },
};

export const waitVerb: ComposeVerb = {
  usage: 'wait SERVICE [SERVICE...] [OPTIONS]',
  summary: 'Block until containers of all (or specified) services stop.',
  flags: [],
  args: { min: 1 },
  async run(cc, flags) {
    const list = await projectContainers(cc.api, cc.projectName(), { services: flags.args });
    const codes = await Promise.all(list.map(async (c) => { const r = await cc.api.wait(c.Id); await writeAsync(cc.cli.stdout, `${r.StatusCode}\n`); return r.StatusCode; }));
    return codes.find((c) => c !== 0) ?? 0;
  },
};

export const logsVerb: ComposeVerb = {
  usage: 'logs [OPTIONS] [SERVICE...]',
  summary: 'View output from containers',
  flags: [
    { long: 'follow', short: 'f', kind: 'bool', help: 'Follow log output' },
    { long: 'tail', short: 'n', kind: 'string', help: 'Number of lines to show from the end of the logs for each container', defaultText: '"all"' },
    { long: 'timestamps', short: 't', kind: 'bool', help: 'Show timestamps' },
    { long: 'no-color', kind: 'bool', help: 'Produce monochrome output' },
    { long: 'no-log-prefix', kind: 'bool', help: "Don't print prefix in logs" },
    { long: 'since', kind: 'string', help: 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' },
    { long: 'until', kind: 'string', help: 'Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' },
    { long: 'index', kind: 'int', help: 'index of the container if service has multiple replicas' },
  ],
  async run(cc, flags) {
    const project = cc.projectName();
    let list = await projectContainers(cc.api, project, { services: flags.args });
    const index = flags.int('index');
    if (index !== undefined) list = list.filter((c) => Number(c.Labels?.['com.docker.compose.container-number']) === index);
    const printer = new LogPrinter(cc.cli.stdout, { colour: cc.colour() && !flags.bool('no-color'), prefix: !flags.bool('no-log-prefix') });
    const names = list.map((c) => displayName(project, nameOf(c)));
    names.forEach((n) => printer.register(n));
    const now = cc.cli.now();
    const since = flags.string('since');
    const until = flags.string('until');
    await Promise.all(list.map((c, i) => followContainer(cc.api, printer, c.Id, names[i], {
      follow: flags.bool('follow'), tail: flags.string('tail') ?? 'all', timestamps: flags.bool('timestamps'),
      since: since ? getTimestamp(since, now) : undefined, until: until ? getTimestamp(until, now) : undefined,
    })));
    return 0;
  },
};
