// `run`/`create` flags, and their translation into the Engine API's create body (docker's
// cli/command/container/opts.go, the subset Berth supports).
import { keyValueMap } from './key-values.js';
import { readFileSync } from 'node:fs';
import type { FlagSpec, ParsedFlags } from '../flags.js';
import { UsageError } from '../flags.js';
import { ExitError } from '../command.js';
import type { ContainerCreateBody } from '../../client/types.js';
import { parseMemory } from '../format/units.js';
import { parseMountFlags, splitVolumeFlags } from './volume-mount-flag.js';
import { applyNetworkFlags, networkFlags } from './network-flags.js';
import { applySupervisionFlags, supervisionFlags } from './supervision-flags.js';

export const containerFlags: FlagSpec[] = [
  { long: 'add-host', kind: 'list', help: 'Add a custom host-to-IP mapping (host:ip)' },
  { long: 'attach', short: 'a', kind: 'list', help: 'Attach to STDIN, STDOUT or STDERR' },
  { long: 'cap-add', kind: 'list', help: 'Add Linux capabilities' },
  { long: 'cap-drop', kind: 'list', help: 'Drop Linux capabilities' },
  { long: 'cpus', kind: 'string', valueName: 'decimal', help: 'Number of CPUs' },
  { long: 'dns', kind: 'list', help: 'Set custom DNS servers' },
  { long: 'domainname', kind: 'string', help: 'Container NIS domain name' },
  { long: 'entrypoint', kind: 'string', help: 'Overwrite the default ENTRYPOINT of the image' },
  { long: 'env', short: 'e', kind: 'list', help: 'Set environment variables' },
  { long: 'env-file', kind: 'list', help: 'Read in a file of environment variables' },
  { long: 'hostname', short: 'h', kind: 'string', help: 'Container host name' },
  { long: 'init', kind: 'bool', help: 'Run an init inside the container that forwards signals and reaps processes' },
  { long: 'interactive', short: 'i', kind: 'bool', help: 'Keep STDIN open even if not attached' },
  { long: 'label', short: 'l', kind: 'list', help: 'Set meta data on a container' },
  { long: 'label-file', kind: 'list', help: 'Read in a line delimited file of labels' },
  { long: 'memory', short: 'm', kind: 'string', valueName: 'bytes', help: 'Memory limit' },
  { long: 'mount', kind: 'list', valueName: 'mount', help: 'Attach a filesystem mount to the container' },
  { long: 'name', kind: 'string', help: 'Assign a name to the container' },
  { long: 'network', kind: 'string', valueName: 'network', help: 'Connect a container to a network (none, host)' },
  { long: 'net', kind: 'string', help: 'Connect a container to a network', hidden: true },
  { long: 'pids-limit', kind: 'int', help: 'Tune container pids limit (set -1 for unlimited)' },
  { long: 'platform', kind: 'string', help: 'Set platform if server is multi-platform capable' },
  { long: 'privileged', kind: 'bool', help: 'Give extended privileges to this container' },
  { long: 'pull', kind: 'string', help: 'Pull image before running ("always", "missing", "never")', defaultText: '"missing"' },
  { long: 'read-only', kind: 'bool', help: "Mount the container's root filesystem as read only" },
  { long: 'restart', kind: 'string', help: 'Restart policy to apply when a container exits', defaultText: '"no"' },
  { long: 'rm', kind: 'bool', help: 'Automatically remove the container and its associated anonymous volumes when it exits' },
  { long: 'runtime', kind: 'string', help: 'Runtime to use for this container' },
  { long: 'security-opt', kind: 'list', help: 'Security Options' },
  { long: 'shm-size', kind: 'string', valueName: 'bytes', help: 'Size of /dev/shm' },
  { long: 'stop-signal', kind: 'string', help: 'Signal to stop the container' },
  { long: 'stop-timeout', kind: 'int', help: 'Timeout (in seconds) to stop a container' },
  { long: 'tmpfs', kind: 'list', help: 'Mount a tmpfs directory' },
  { long: 'tty', short: 't', kind: 'bool', help: 'Allocate a pseudo-TTY' },
  { long: 'ulimit', kind: 'list', valueName: 'ulimit', help: 'Ulimit options' },
  { long: 'user', short: 'u', kind: 'string', help: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { long: 'volume', short: 'v', kind: 'list', help: 'Bind mount a volume' },
  { long: 'volumes-from', kind: 'list', help: 'Mount volumes from the specified container(s)' },
  { long: 'workdir', short: 'w', kind: 'string', help: 'Working directory inside the container' },
  ...networkFlags,
  ...supervisionFlags,
];

export interface ContainerOptions {
  name?: string;
  platform?: string;
  pull: 'missing' | 'always' | 'never';
  body: ContainerCreateBody;
  /** Streams to attach to (stdin/stdout/stderr) when running in the foreground. */
  attach: { stdin: boolean; stdout: boolean; stderr: boolean };
}

type Env = Record<string, string | undefined>;

/** `-e K=V` as is; `-e K` takes K from our environment (and is dropped when unset), like docker. */
function envEntry(entry: string, env: Env): string | undefined {
  if (entry.includes('=')) return entry;
  const v = env[entry];
  return v === undefined ? undefined : `${entry}=${v}`;
}

function readLines(path: string): string[] {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (err) { throw new UsageError(`open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`); }
  return text.split(/\r?\n/).map((l) => l.replace(/^\s+/, '')).filter((l) => l !== '' && !l.startsWith('#'));
}

function parseUlimit(v: string): { Name: string; Soft: number; Hard: number } {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(v);
  if (!m) throw new UsageError(`invalid argument "${v}" for "--ulimit" flag: invalid ulimit argument: ${v}`);
  return { Name: m[1], Soft: Number(m[2]), Hard: Number(m[3] ?? m[2]) };
}

function parseRestart(v: string): { Name: string; MaximumRetryCount?: number } {
  const [name, count] = v.split(':');
  if (!['no', 'always', 'unless-stopped', 'on-failure', ''].includes(name)) throw new UsageError(`invalid restart policy format: ${v}`);
  return count !== undefined ? { Name: name, MaximumRetryCount: Number(count) } : { Name: name };
}

/** Splits a shell-ish entrypoint string as docker does: one word unless empty. */
function entrypointValue(v: string | undefined): string[] | null | undefined {
  if (v === undefined) return undefined;
  return v === '' ? [''] : [v];
}

/** `verb` (run/create) names the command in docker's hint after a conflicting-options error. */
export function containerOptions(flags: ParsedFlags, env: Env, detach: boolean, verb = 'run', prog = 'berth'): ContainerOptions {
  const [image, ...cmd] = flags.args;
  const attachList = flags.list('attach').map((s) => s.toLowerCase());
  for (const a of attachList) if (!['stdin', 'stdout', 'stderr'].includes(a)) throw new UsageError(`invalid argument "${a}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  if (detach && attachList.length) throw new ExitError('conflicting options: cannot specify both --attach and --detach', 1);
  const interactive = flags.bool('interactive');
  const attach = attachList.length
    ? { stdin: attachList.includes('stdin'), stdout: attachList.includes('stdout'), stderr: attachList.includes('stderr') }
    : { stdin: interactive && !detach, stdout: !detach, stderr: !detach };

  const envList = [
    ...flags.list('env-file').flatMap(readLines),
    ...flags.list('env'),
  ].map((e) => envEntry(e, env)).filter((e): e is string => e !== undefined);

  const labels = keyValueMap([...flags.list('label-file').flatMap(readLines), ...flags.list('label')]);
  const tmpfs = keyValueMap(flags.list('tmpfs'), ':');

  const network = flags.string('network') ?? flags.string('net');
  const cpus = flags.string('cpus');
  const memory = flags.string('memory');
  const shm = flags.string('shm-size');
  const pull = (flags.string('pull') ?? 'missing') as ContainerOptions['pull'];
  if (!['missing', 'always', 'never'].includes(pull)) throw new UsageError(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  const tty = flags.bool('tty');
  const volumeFlags = splitVolumeFlags(flags.list('volume'));
  const mounts = parseMountFlags(flags.list('mount'));

  const body: ContainerCreateBody = {
    Hostname: flags.string('hostname') ?? '',
    Domainname: flags.string('domainname') ?? '',
    User: flags.string('user') ?? '',
    AttachStdin: attach.stdin,
    AttachStdout: attach.stdout,
    AttachStderr: attach.stderr,
    Tty: tty,
    OpenStdin: interactive,
    StdinOnce: interactive && attach.stdin,
    Env: envList,
    Cmd: cmd.length ? cmd : null,
    Image: image,
    Labels: labels,
    WorkingDir: flags.string('workdir') ?? '',
    Entrypoint: entrypointValue(flags.string('entrypoint')),
    ...(Object.keys(volumeFlags.volumes).length ? { Volumes: volumeFlags.volumes } : {}),
    ...(flags.has('stop-signal') ? { StopSignal: flags.string('stop-signal') } : {}),
    ...(flags.has('stop-timeout') ? { StopTimeout: flags.int('stop-timeout') } : {}),
    HostConfig: {
      AutoRemove: flags.bool('rm'),
      NetworkMode: network ?? 'default',
      ...(flags.has('runtime') ? { Runtime: flags.string('runtime') } : {}),
      Privileged: flags.bool('privileged'),
      ReadonlyRootfs: flags.bool('read-only'),
      CapAdd: flags.list('cap-add'),
      CapDrop: flags.list('cap-drop'),
      Binds: volumeFlags.binds,
      ...(mounts.length ? { Mounts: mounts } : {}),
      ...(flags.has('volumes-from') ? { VolumesFrom: flags.list('volumes-from') } : {}),
      Tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
      RestartPolicy: parseRestart(flags.string('restart') ?? 'no'),
      ...(memory ? { Memory: parseMemory(memory) } : {}),
      ...(cpus ? { NanoCpus: Math.round(Number(cpus) * 1e9) } : {}),
      ...(flags.has('pids-limit') ? { PidsLimit: flags.int('pids-limit') } : {}),
      ...(flags.has('init') ? { Init: flags.bool('init') } : {}),
      ...(shm ? { ShmSize: parseMemory(shm) } : {}),
      Ulimits: flags.list('ulimit').map(parseUlimit),
      ExtraHosts: flags.list('add-host'),
      Dns: flags.list('dns'),
      SecurityOpt: flags.list('security-opt'),
    },
    NetworkingConfig: { EndpointsConfig: {} },
  };
  if (flags.bool('rm') && body.HostConfig.RestartPolicy && !['no', ''].includes(body.HostConfig.RestartPolicy.Name)) {
    throw new ExitError(`${prog}: conflicting options: cannot specify both --restart and --rm\n\nRun '${prog} ${verb} --help' for more information`, 125);
  }
  applyNetworkFlags(flags, body, network);
  applySupervisionFlags(flags, body);
  return { name: flags.string('name'), platform: flags.string('platform'), pull, body, attach };
}
