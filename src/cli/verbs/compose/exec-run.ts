// `berth compose exec` (a command in a service's running container) and `run` (a one-off container of a
// service, its dependencies brought up first, removed afterwards with --rm).
import { randomBytes } from 'node:crypto';
import type { HijackedStream } from '../../../client/transport.js';
import { projectContainers } from '../../../compose/engine/containers.js';
import { createBody } from '../../../compose/engine/convert.js';
import { ensureImages } from '../../../compose/engine/images.js';
import { defaultImageName, oneoffName } from '../../../compose/engine/labels.js';
import { ensureResources } from '../../../compose/engine/resources.js';
import { up } from '../../../compose/engine/up.js';
import { notFound } from '../../../compose/errors.js';
import type { ServiceConfig } from '../../../compose/model/types.js';
import { shellWords } from '../../../compose/model/shell-words.js';
import { writeAsync } from '../../command.js';
import { enterRawMode, forwardStdin, pumpOutput } from '../attach-io.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../detach-keys.js';
import type { ComposeContext, ComposeVerb } from './context.js';
import { keyValueMap } from '../key-values.js';

function envList(list: string[], env: Record<string, string | undefined>): string[] {
  return list.map((e) => (e.includes('=') ? e : `${e}=${env[e] ?? ''}`));
}

/** Copies output (and stdin when interactive) of a hijacked exec/attach until it ends. */
async function pipeSession(cc: ComposeContext, conn: HijackedStream, tty: boolean, interactive: boolean): Promise<void> {
  const output = pumpOutput(conn.output, tty, cc.cli.stdout, cc.cli.stderr);
  const restoreTerminal = tty && interactive ? enterRawMode(cc.cli) : () => undefined;
  let restoreStdin: (() => void) | undefined;
  if (interactive) restoreStdin = forwardStdin(cc.cli, conn, tty ? { keys: parseDetachKeys(DEFAULT_DETACH_KEYS), onDetach: () => conn.close() } : undefined);
  else conn.closeWrite();
  try { await output; } finally { restoreStdin?.(); restoreTerminal(); conn.close(); }
}

export const execVerb: ComposeVerb = {
  usage: 'exec [OPTIONS] SERVICE COMMAND [ARGS...]',
  summary: 'Execute a command in a running container',
  interspersed: false,
  flags: [
    { long: 'detach', short: 'd', kind: 'bool', help: 'Detached mode: Run command in the background' },
    { long: 'env', short: 'e', kind: 'list', help: 'Set environment variables' },
    { long: 'index', kind: 'int', help: 'Index of the container if service has multiple replicas', defaultText: '1' },
    { long: 'no-TTY', short: 'T', kind: 'bool', help: 'Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY.' },
    { long: 'privileged', kind: 'bool', help: 'Give extended privileges to the process' },
    { long: 'user', short: 'u', kind: 'string', help: 'Run the command as this user' },
    { long: 'workdir', short: 'w', kind: 'string', help: 'Path to workdir directory for this command' },
    { long: 'interactive', short: 'i', kind: 'bool', help: 'Keep STDIN open even if not attached', hidden: true },
    { long: 'tty', short: 't', kind: 'bool', help: 'Allocate a pseudo-TTY', hidden: true },
  ],
  args: { min: 2 },
  async run(cc, flags) {
    const [service, ...cmd] = flags.args;
    const index = flags.int('index') ?? 1;
    const list = await projectContainers(cc.api, cc.projectName(), { services: [service], all: false });
    const c = list.find((x) => Number(x.Labels?.['com.docker.compose.container-number']) === index);
    if (!c) throw notFound(`service "${service}" is not running`);
    const tty = !flags.bool('no-TTY') && (flags.bool('tty') || !!cc.cli.stdin.isTTY) && !flags.bool('detach');
    const interactive = !flags.bool('detach');
    const created = await cc.api.execCreate(c.Id, {
      AttachStdin: interactive, AttachStdout: !flags.bool('detach'), AttachStderr: !flags.bool('detach'), Tty: tty,
      Env: envList(flags.list('env'), cc.cli.env), User: flags.string('user') ?? '', WorkingDir: flags.string('workdir') ?? '',
      Privileged: flags.bool('privileged'), Cmd: cmd,
    });
    if (flags.bool('detach')) { await cc.api.execStartDetached(created.Id, false); return 0; }
    const conn = await cc.api.execStart(created.Id, tty);
    await pipeSession(cc, conn, tty, interactive);
    const state = await cc.api.execInspect(created.Id);
    return state.ExitCode ?? 0;
  },
};

export const runVerb: ComposeVerb = {
  usage: 'run [OPTIONS] SERVICE [COMMAND] [ARGS...]',
  summary: 'Run a one-off command on a service',
  interspersed: false,
  flags: [
    { long: 'detach', short: 'd', kind: 'bool', help: 'Run container in background and print container ID' },
    { long: 'rm', kind: 'bool', help: 'Automatically remove the container when it exits' },
    { long: 'env', short: 'e', kind: 'list', help: 'Set environment variables' },
    { long: 'entrypoint', kind: 'string', help: 'Override the entrypoint of the image' },
    { long: 'name', kind: 'string', help: 'Assign a name to the container' },
    { long: 'no-deps', kind: 'bool', help: "Don't start linked services" },
    { long: 'no-TTY', short: 'T', kind: 'bool', help: 'Disable pseudo-TTY allocation (default: auto-detected)' },
    { long: 'publish', short: 'p', kind: 'list', help: "Publish a container's port(s) to the host" },
    { long: 'service-ports', kind: 'bool', help: "Run command with all service's ports enabled and mapped to the host" },
    { long: 'user', short: 'u', kind: 'string', help: 'Run as specified username or uid' },
    { long: 'workdir', short: 'w', kind: 'string', help: 'Working directory inside the container' },
    { long: 'label', short: 'l', kind: 'list', help: 'Add or override a label' },
    { long: 'build', kind: 'bool', help: 'Build image before starting container' },
    { long: 'interactive', short: 'i', kind: 'bool', help: 'Keep STDIN open even if not attached', hidden: true },
    { long: 'tty', short: 't', kind: 'bool', help: 'Allocate a pseudo-TTY', hidden: true },
  ],
  args: { min: 1 },
  async run(cc, flags) {
    const [service, ...cmd] = flags.args;
    const project = cc.project([service]);
    const base = project.services[service];
    if (!base) throw notFound(`no such service: ${service}`);
    const detach = flags.bool('detach');
    const tty = !flags.bool('no-TTY') && (flags.bool('tty') || !!cc.cli.stdin.isTTY) && !detach;
    const svc: ServiceConfig = {
      ...base,
      command: cmd.length ? cmd : base.command,
      entrypoint: flags.string('entrypoint') !== undefined ? shellWords(flags.string('entrypoint') as string, '--entrypoint') : base.entrypoint,
      environment: { ...base.environment, ...keyValueMap(envList(flags.list('env'), cc.cli.env)) },
      user: flags.string('user') ?? base.user,
      working_dir: flags.string('workdir') ?? base.working_dir,
      ports: flags.bool('service-ports') ? base.ports : [],
      restart: undefined,
      tty, stdin_open: !detach,
      healthcheck: base.healthcheck,
      labels: { ...base.labels, ...keyValueMap(flags.list('label')) },
    };
    if (flags.list('publish').length) {
      const { parsePortShort } = await import('../../../compose/loader/syntax.js');
      svc.ports = [...svc.ports, ...flags.list('publish').flatMap((p) => parsePortShort(p, '--publish')).map((p) => ({ target: Number(p.target), published: p.published as string | undefined, host_ip: p.host_ip as string | undefined, protocol: 'tcp' as const, mode: 'ingress' as const }))];
    }
    const deps = Object.keys(base.depends_on).filter((d) => project.services[d]);
    if (!flags.bool('no-deps') && deps.length) await up(cc.api, project, cc.progress, { services: deps, detach: true });
    await ensureResources(cc.api, project, [service], cc.progress);
    await ensureImages(cc.api, project, [service], cc.progress, { build: flags.bool('build') });
    const name = flags.string('name') ?? oneoffName(project.name, service, randomBytes(6).toString('hex'));
    const body = createBody(project, svc, { number: 1, oneoff: true, name }, defaultImageName(project.name, base));
    body.AttachStdin = !detach; body.OpenStdin = !detach; body.StdinOnce = !detach;
    body.HostConfig.AutoRemove = flags.bool('rm') && detach ? true : undefined;
    const { Id } = await cc.api.create(body, name);
    if (detach) {
      await cc.api.start(Id);
      await writeAsync(cc.cli.stdout, `${name}\n`);
      return 0;
    }
    const conn = await cc.api.attach(Id, true);
    const session = pipeSession(cc, conn, tty, true);
    const waiting = cc.api.wait(Id);
    await cc.api.start(Id);
    const status = await waiting;
    await Promise.race([session, new Promise((r) => setTimeout(r, 3000).unref())]);
    conn.close();
    if (flags.bool('rm')) await cc.api.remove(Id, { force: true });
    return status.StatusCode;
  },
};
