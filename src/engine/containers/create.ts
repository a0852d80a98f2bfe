// `docker create`: the user's config merged with the image's, validated before anything is made (runtime,
// capabilities, mounts, network), the name reserved, the mounts planned, the /etc files written, and the
// record stored. On failure nothing is left behind.
import { mkdir, rm } from 'node:fs/promises';
import { invalidArgument } from '../../errors.js';
import type { ImageProvider, ImageRecord } from '../../model/image.js';
import { ZERO_TIME, type ContainerRecord, type CreateRequest } from '../../model/container.js';
import type { NetworkService } from '../../network/network-service.js';
import { containerRlimits, daemonRlimits } from '../../runtime/rlimits.js';
import { effectiveCapabilities } from '../../runtime/capabilities.js';
import { newId } from '../../util/ids.js';
import { commandOf, mergeConfig, normalizeHostConfig } from './create-config.js';
import { writeEtcFiles } from './etc-files.js';
import { applyCreateChecks } from './create-checks.js';
import { registerLinks } from './links.js';
import { bindMounts, runtimeRef } from './launch.js';
import type { ContainerMountHooks } from './mounts.js';
import type { ContainerConfigOptions } from './options.js';
import type { ContainerPaths } from './paths.js';
import type { ContainerStore } from './store.js';

export interface CreateDeps {
  config: ContainerConfigOptions;
  images: ImageProvider;
  mounts?: ContainerMountHooks;
  network?: Pick<NetworkService, 'createSettings'>;
  paths: ContainerPaths;
  store: ContainerStore;
}

/** dockerd's refusals for a container in a user namespace (each needs the host's user namespace). */
function checkUsernsCompatible(hc: NonNullable<CreateRequest['HostConfig']>): void {
  if (hc.Privileged) throw invalidArgument('privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode');
  if (hc.PidMode === 'host') throw invalidArgument('cannot share the host PID namespace when user namespaces are enabled');
  if (hc.NetworkMode === 'host') throw invalidArgument('cannot share the host\'s network namespace when user namespaces are enabled');
}

/** `container:NAME` modes recorded as `container:<id>`, as dockerd shows them; an unknown peer is refused. */
function resolvePeerModes(hc: NonNullable<CreateRequest['HostConfig']>, store: ContainerStore): void {
  for (const key of ['IpcMode', 'PidMode', 'NetworkMode'] as const) {
    const mode = hc[key];
    if (typeof mode !== 'string' || !mode.startsWith('container:') || mode.length <= 10) continue;
    let id: string;
    // A 400, not Docker's 404: a 404 on create makes the docker CLI pull the image.
    try { id = store.resolve(mode.slice(10)).Id; } catch { throw invalidArgument(`No such container: ${mode.slice(10)}`); }
    hc[key] = `container:${id}`;
  }
}

export async function createContainer(d: CreateDeps, body: CreateRequest, name: string | undefined): Promise<{ rec: ContainerRecord; warnings: string[] }> {
  const imageRef = body.Image;
  if (!imageRef) throw invalidArgument('config cannot be empty in order to create a container');
  // Held from here until the record is stored (then the container itself keeps the image in use):
  // an `rmi -f` or `image prune -a` meanwhile cannot delete the layers this container is made of.
  const lease = d.images.lease(imageRef);
  try {
    return await createWithImage(d, body, name, imageRef, lease.image!);
  } finally {
    lease.release();
  }
}

async function createWithImage(d: CreateDeps, body: CreateRequest, name: string | undefined, imageRef: string, image: ImageRecord): Promise<{ rec: ContainerRecord; warnings: string[] }> {
  const hcIn = body.HostConfig ?? {};
  const runtime = hcIn.Runtime || d.config.defaultRuntime;
  runtimeRef(d.config, d.paths, runtime); // refuses unknown/unusable runtimes with a 400
  const { HostConfig: _hc, NetworkingConfig: _nc, ...userConfig } = body;
  const config = mergeConfig(userConfig, image.config.config);
  const { path, args } = commandOf(config);
  effectiveCapabilities({ capAdd: hcIn.CapAdd, capDrop: hcIn.CapDrop }); // validates capability names
  if (!d.mounts) bindMounts(hcIn.Binds); // refuses what start could not mount, before anything is created
  const hostConfig = normalizeHostConfig(hcIn, runtime);
  if (d.config.userns && hostConfig.UsernsMode !== 'host') checkUsernsCompatible(hostConfig);
  resolvePeerModes(hostConfig, d.store);
  const networkSettings = d.network?.createSettings(hostConfig, body.NetworkingConfig as never, config.MacAddress as string | undefined);
  const links = registerLinks(d.store, hostConfig);
  const warnings = containerRlimits(hostConfig.Ulimits ?? [], daemonRlimits()).warnings;
  warnings.push(...applyCreateChecks(config, hostConfig, { driver: d.config.logDriver, opts: d.config.logOpts }));
  const id = newId();
  const finalName = d.store.reserveName(id, name);
  try {
    if (hostConfig.NetworkMode === 'host') config.Hostname ||= (await import('node:os')).hostname();
    config.Hostname ||= id.slice(0, 12);
    config.Domainname ??= '';
    config.Image = imageRef;
    const layerDirs = await d.images.layerDirs(image);
    const mountPoints = await d.mounts?.create({ id, config, hostConfig, layerDirs });
    const rec: ContainerRecord = {
      Id: id, Name: finalName, Created: new Date().toISOString(), Path: path, Args: args, Config: config,
      HostConfig: hostConfig, Image: image.id, LayerDirs: layerDirs, RestartCount: 0, Runtime: runtime,
      ...(mountPoints ? { MountPoints: mountPoints } : {}),
      ...(links.length ? { Links: links } : {}),
      State: { Status: 'created', Pid: 0, ExitCode: 0, Error: '', OOMKilled: false, StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME },
      ...(networkSettings ? { NetworkSettings: networkSettings } : {}),
    };
    await mkdir(d.paths.dir(id), { recursive: true, mode: 0o710 });
    await writeEtcFiles(
      { hosts: d.paths.hosts(id), hostname: d.paths.hostname(id), resolvConf: d.paths.resolvConf(id) },
      { hostname: config.Hostname, networkMode: hostConfig.NetworkMode ?? 'bridge', extraHosts: hostConfig.ExtraHosts as string[] | null },
    );
    await mkdir(d.paths.bundle(id), { recursive: true, mode: 0o700 });
    await d.store.add(rec);
    return { rec, warnings };
  } catch (err) {
    d.store.releaseName(finalName, id);
    await rm(d.paths.dir(id), { recursive: true, force: true });
    throw err;
  }
}
