// Starting a container's process: mount the rootfs, write the OCI bundle, run conmon (`runtime create`)
// and `runtime start`. Undoes what it did when a step fails.
import { mkdir, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { BerthError, invalidArgument } from '../../errors.js';
import { effectiveCapabilities } from '../../runtime/capabilities.js';
import { CommandNotRunnable, startConmon } from '../../runtime/conmon.js';
import { buildSpec, serializeSpec, type OciMount } from '../../runtime/oci-spec.js';
import { runtimeDelete, runtimeStartFast, type RuntimeRef } from '../../runtime/oci-runtime.js';
import { containerRlimits, daemonRlimits } from '../../runtime/rlimits.js';
import { probeRuntime, type RuntimeEntry } from '../../runtime/runtimes.js';
import { resolveUser, resolveUserWith } from '../../runtime/user.js';
import { mountRootfs, overlayOptions, prepareRootfsDirs } from '../../fs/overlay.js';
import { mountShm } from '../../fs/shm-mount.js';
import { remappedRoot, type IdMapping } from '../../runtime/userns/remap.js';
import { mountRemappedRootfs } from './userns-rootfs.js';
import { releaseRunMounts } from './run-mounts.js';
import { readTextFromLayers, readUserDbFromLayers } from '../../storage/rootfs.js';
import { log } from '../../util/log.js';
import { readTextInRoot } from '../../fs/read-regular.js';
import { finishSpec, type FinishContext } from '../sandbox/container-spec.js';
import { policyOf, type LogConfig } from '../logs/log-config.js';
import type { ContainerPaths } from './paths.js';
import type { ContainerRecord } from '../../model/container.js';

/** The configured runtime of a container, refused with a clear 400 when unknown or unusable here. */
export function runtimeRef(cfg: { runtimes: Record<string, RuntimeEntry> }, paths: ContainerPaths, name: string): RuntimeRef & { name: string; args: string[] } {
  const entry = cfg.runtimes[name];
  if (!entry) throw invalidArgument(`Unknown runtime specified ${name}`);
  const status = probeRuntime(name, entry.path);
  if (!status.usable) throw invalidArgument(`runtime ${name} is not usable on this host: ${status.reason ?? 'it does not run'}`);
  return { name, path: entry.path, root: paths.runtimeRootFor(name), args: entry.runtimeArgs ?? [] };
}

/** HostConfig.Binds (`/host:/ctr[:ro]`) as OCI bind mounts; named volumes are not handled here yet. */
export function bindMounts(binds: string[] | null | undefined): OciMount[] {
  return (binds ?? []).map((b) => {
    const [src, dst, opts = ''] = b.split(':');
    if (!src.startsWith('/')) throw invalidArgument(`named volumes are not supported yet: ${b}`);
    if (!dst || !dst.startsWith('/')) throw invalidArgument(`invalid volume specification: '${b}'`);
    const ro = opts.split(',').includes('ro');
    return { destination: posix.normalize(dst), type: 'bind', source: src, options: ['rbind', ro ? 'ro' : 'rw', 'rprivate'] };
  });
}

export async function mountContainerRootfs(rec: ContainerRecord, paths: ContainerPaths): Promise<string> {
  const p = { lower: rec.LayerDirs, upper: paths.upper(rec.Id), work: paths.work(rec.Id), merged: paths.merged(rec.Id) };
  await prepareRootfsDirs(p);
  await mountRootfs(p);
  return p.merged;
}

export interface Launched { pid: number }

export interface LaunchConfig {
  runtimes: Record<string, RuntimeEntry>;
  /** The daemon's userns-remap mapping, for containers not run with `--userns=host`. */
  userns?: IdMapping;
}

/** The mapping a container runs with: the daemon's, unless it asked for the host's user namespace. */
export function usernsOf(rec: ContainerRecord, cfg: LaunchConfig): IdMapping | undefined {
  return cfg.userns && rec.HostConfig.UsernsMode !== 'host' ? cfg.userns : undefined;
}

/** Runs the container; on failure nothing stays mounted or registered with the runtime. */
export async function launchContainer(rec: ContainerRecord, cfg: LaunchConfig, paths: ContainerPaths, logLevel: string, mounts?: OciMount[], netnsPath?: string, peer: FinishContext['peer'] = () => undefined, linkEnv: string[] = []): Promise<Launched> {
  const rt = runtimeRef(cfg, paths, rec.Runtime);
  const id = rec.Id;
  const hc = rec.HostConfig;
  const t0 = performance.now();
  const layers = { lower: rec.LayerDirs, upper: paths.upper(id), work: paths.work(id), merged: paths.merged(id) };
  const userns = usernsOf(rec, cfg);
  // runc mounts the overlay in the container's namespace (see SpecInput.overlay); others get a host mount.
  const inNamespace = !userns && rt.name === 'runc' && !overlayOptions(layers).cwd && rec.LayerDirs.length > 0;
  let merged = layers.merged;
  let etcFiles = { hosts: paths.hosts(id), hostname: paths.hostname(id), resolvConf: paths.resolvConf(id) };
  let binds = mounts ?? bindMounts(hc.Binds);
  try {
    if (userns) {
      // Idmapped views (src/engine/containers/userns-rootfs.ts): the rootfs, the /etc files and the
      // volumes show the container's own ids; host binds keep the host's, as in Docker.
      await prepareRootfsDirs(layers);
      const volumeDirs = (rec.MountPoints ?? []).filter((m) => m.Type === 'volume' && m.Source).map((m) => m.Source);
      const r = await mountRemappedRootfs(id, rec.LayerDirs, volumeDirs.filter((v) => binds.some((b) => b.source === v)), paths, userns);
      merged = r.root;
      etcFiles = { hosts: `${r.containerDir}/hosts`, hostname: `${r.containerDir}/hostname`, resolvConf: `${r.containerDir}/resolv.conf` };
      binds = binds.map((b) => (r.volumes.has(b.source) ? { ...b, source: r.volumes.get(b.source)! } : b));
    } else if (inNamespace) await prepareRootfsDirs(layers); else await mountContainerRootfs(rec, paths);
  } catch (err) {
    await releaseRunMounts(paths, id).catch(() => undefined);
    throw err;
  }
  const tMount = performance.now();
  try {
    // A shareable /dev/shm lives on the host, where `--ipc container:<this>` peers find it.
    const ownShm = hc.IpcMode === 'shareable' ? paths.shm(id) : undefined;
    if (ownShm) await mountShm(ownShm, hc.ShmSize || 64 * 1024 * 1024, userns ? remappedRoot(userns) : undefined);
    // Files of the image (passwd, group) are read bounded and off the event loop, never through a link.
    const readImageText = (f: string) => (inNamespace ? readTextFromLayers([layers.upper, ...layers.lower], f) : readTextInRoot(merged, f));
    const user = inNamespace
      ? await resolveUserWith((f) => readUserDbFromLayers([layers.upper, ...layers.lower], f), rec.Config.User)
      : await resolveUser(merged, rec.Config.User);
    const capabilities = effectiveCapabilities({ privileged: hc.Privileged, capAdd: hc.CapAdd, capDrop: hc.CapDrop });
    const { rlimits } = containerRlimits(hc.Ulimits ?? [], daemonRlimits());
    const baseSpec = buildSpec({
      rootfs: merged,
      overlay: inNamespace ? { lower: layers.lower, upper: layers.upper, work: layers.work } : undefined,
      readonlyRootfs: hc.ReadonlyRootfs,
      args: [rec.Path, ...rec.Args],
      env: [...linkEnv, ...(rec.Config.Env ?? [])], // the container's own values win, as in dockerd
      cwd: rec.Config.WorkingDir || '/',
      user,
      hostname: rec.Config.Hostname ?? id.slice(0, 12),
      domainname: rec.Config.Domainname,
      tty: !!rec.Config.Tty,
      capabilities,
      privileged: hc.Privileged,
      maskedPaths: hc.MaskedPaths as string[] | null | undefined,
      readonlyPaths: hc.ReadonlyPaths as string[] | null | undefined,
      networkMode: hc.NetworkMode ?? 'bridge',
      netnsPath,
      rlimits,
      shmSize: hc.ShmSize,
      etcFiles,
      binds,
      ...(userns ? { userns: { uids: userns.uids, gids: userns.gids, path: paths.usernsFile(id) } } : {}),
      cgroupsPath: `/berth/${id}`,
      consoleSize: Array.isArray(hc.ConsoleSize) && hc.ConsoleSize[0] ? { height: Number(hc.ConsoleSize[0]), width: Number(hc.ConsoleSize[1]) } : undefined,
    });
    // Limits and sandbox (seccomp, namespaces, devices, groups, sysctls, init) from the HostConfig.
    const spec = await finishSpec(baseSpec, rec, { capabilities, peer, readImageText, ownShm });
    const bundle = paths.bundle(id);
    await mkdir(paths.persistDir(id), { recursive: true, mode: 0o700 });
    await writeFile(`${bundle}/config.json`, serializeSpec(spec), { mode: 0o600 });
    const tPrep = performance.now();
    const pid = await startConmon({
      id, name: rec.Name.slice(1), runtimePath: rt.path, runtimeArgs: ['--root', rt.root, ...rt.args], bundle,
      pidFile: paths.pidFile(id), conmonPidFile: paths.conmonPidFile(id), logPath: paths.log(id), exitDir: paths.exitDir,
      persistDir: paths.persistDir(id), socketDir: paths.socketDir, tty: !!rec.Config.Tty, logLevel,
      stdin: !!rec.Config.OpenStdin, leaveStdinOpen: !rec.Config.StdinOnce,
      // conmon's --log-size-max truncates the live file in place, losing lines a burst wrote before the
      // rotator renamed it: only logs that are not rotated get it.
      logSizeMax: logSizeMaxFor(policyOf(hc.LogConfig as LogConfig | undefined)),
    });
    const tCreate = performance.now();
    try {
      await runtimeStartFast(rt, id);
      log.debug('container launched', { id: id.slice(0, 12), mountMs: ms(tMount - t0), prepareMs: ms(tPrep - tMount), createMs: ms(tCreate - tPrep), startMs: ms(performance.now() - tCreate) });
    } catch (err) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      await runtimeDelete(rt, id).catch(() => undefined);
      throw err;
    }
    return { pid };
  } catch (err) {
    await releaseRunMounts(paths, id).catch(() => undefined);
    throw err;
  }
}

const ms = (v: number) => Math.round(v * 10) / 10;

/** Docker's exit code for a start that failed: 127 command not found, 126 not executable, else 128. */
export function failedStartExitCode(err: unknown): number {
  if (err instanceof CommandNotRunnable) return err.exitCode;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 127;
  if (code === 'EACCES') return 126;
  return err instanceof BerthError && err.kind === 'invalid-argument' ? 127 : 128;
}

/** conmon's hard bound (truncation in place): for `none` and max-file=1; rotated logs are bounded by the rotator. */
function logSizeMaxFor(p: { driver: string; maxSize?: number; maxFile: number }): number | undefined {
  return p.driver === 'none' || p.maxFile < 2 ? p.maxSize : undefined;
}
