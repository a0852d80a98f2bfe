// Merges a create request with the image's config as Docker does, and derives the process to run.
import { invalidArgument } from '../../errors.js';
import type { ImageRunConfig } from '../../model/image.js';
import type { ContainerConfig, HostConfig } from '../../model/container.js';
import { MASKED_PATHS, READONLY_PATHS } from '../../runtime/oci-spec.js';
import type { HealthConfig } from '../health/health-config.js';

function envKey(kv: string): string {
  const i = kv.indexOf('=');
  return i < 0 ? kv : kv.slice(0, i);
}

/** Image Env overridden (by key) and extended by the user's Env. */
export function mergeEnv(image: string[] | undefined, user: string[] | undefined): string[] {
  const out = [...(image ?? [])];
  for (const kv of user ?? []) {
    const i = out.findIndex((e) => envKey(e) === envKey(kv));
    if (i >= 0) out[i] = kv; else out.push(kv);
  }
  return out;
}

/** Docker's merge of a user config over the image config (daemon/create.go `merge`). */
export function mergeConfig(user: ContainerConfig, image: ImageRunConfig | undefined): ContainerConfig {
  const img = image ?? {};
  const out: ContainerConfig = { ...user };
  out.Env = mergeEnv(img.Env, user.Env);
  out.Labels = { ...(img.Labels ?? {}), ...(user.Labels ?? {}) };
  if (!user.User) out.User = img.User ?? '';
  if (!user.WorkingDir) out.WorkingDir = img.WorkingDir ?? '';
  if (!user.StopSignal && img.StopSignal) out.StopSignal = img.StopSignal;
  if (img.ExposedPorts || user.ExposedPorts) out.ExposedPorts = { ...(img.ExposedPorts ?? {}), ...(user.ExposedPorts ?? {}) };
  if (img.Volumes || user.Volumes) out.Volumes = { ...(img.Volumes ?? {}), ...(user.Volumes ?? {}) };
  if (img.Healthcheck) out.Healthcheck = mergeHealthcheck(user.Healthcheck as HealthConfig | undefined, img.Healthcheck as HealthConfig);
  if (!user.Shell && img.Shell) out.Shell = img.Shell;
  if (!user.OnBuild && img.OnBuild) out.OnBuild = img.OnBuild;
  // Entrypoint/Cmd: an Entrypoint given at create drops the image's Cmd unless a Cmd is given too.
  const userEntrypoint = user.Entrypoint ?? null;
  if (!userEntrypoint || userEntrypoint.length === 0) {
    if (!user.Cmd || user.Cmd.length === 0) out.Cmd = img.Cmd ?? null;
    if (user.Entrypoint == null) out.Entrypoint = img.Entrypoint ?? null;
  }
  return out;
}

type Healthcheck = HealthConfig;

/** Docker fills what the user left unset (empty Test, zero durations) from the image's HEALTHCHECK. */
function mergeHealthcheck(user: Healthcheck | undefined, img: Healthcheck): Healthcheck {
  if (!user) return img;
  const out: Healthcheck = { ...user };
  if (!out.Test || out.Test.length === 0) out.Test = img.Test;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    if (!out[k] && img[k]) out[k] = img[k];
  }
  return out;
}

/** The process to run: Path and Args as inspect shows them. */
export function commandOf(cfg: ContainerConfig): { path: string; args: string[] } {
  const entry = (cfg.Entrypoint ?? []).filter((s, i) => !(i === 0 && s === '' && (cfg.Entrypoint ?? []).length === 1));
  const argv = [...entry, ...(cfg.Cmd ?? [])];
  if (argv.length === 0) throw invalidArgument('no command specified');
  return { path: argv[0], args: argv.slice(1) };
}

/** NetworkMode as Docker records it: empty and `default` mean the default bridge. */
export function normalizeNetworkMode(mode: string | undefined): string {
  return !mode || mode === 'default' ? 'bridge' : mode;
}

/** HostConfig with Docker's defaults filled in, as inspect shows it. */
export function normalizeHostConfig(hc: HostConfig | undefined, runtime: string): HostConfig {
  const h: HostConfig = { ...(hc ?? {}) };
  h.NetworkMode = normalizeNetworkMode(h.NetworkMode);
  h.Runtime = runtime;
  h.AutoRemove = !!h.AutoRemove;
  h.Privileged = !!h.Privileged;
  h.RestartPolicy = h.RestartPolicy?.Name ? h.RestartPolicy : { Name: 'no', MaximumRetryCount: 0 };
  h.ShmSize = h.ShmSize || 64 * 1024 * 1024;
  h.IpcMode ||= 'private';
  h.PidMode ??= '';
  h.UTSMode ??= '';
  h.OomKillDisable ??= null;
  h.PidsLimit ??= null;
  // The docker CLI sends -1 for "unset"; dockerd stores (and shows) it as null.
  if (h.MemorySwappiness === undefined || h.MemorySwappiness === -1) h.MemorySwappiness = null;
  h.CapAdd ??= null;
  h.CapDrop ??= null;
  h.Binds ??= null;
  h.VolumesFrom ??= null;
  h.ReadonlyRootfs = !!h.ReadonlyRootfs;
  // As dockerd: an unprivileged container records the default masked and read-only paths it gets.
  if (!h.Privileged) {
    h.MaskedPaths ??= [...MASKED_PATHS];
    h.ReadonlyPaths ??= [...READONLY_PATHS];
  } else {
    h.MaskedPaths ??= null;
    h.ReadonlyPaths ??= null;
  }
  return h;
}
