// The last step of a container's OCI spec: its limits (runtime/cgroups) and its sandbox (seccomp,
// namespaces, devices, groups, sysctls, init), from the stored HostConfig. Called by launch.
import type { OciSpec } from '../../runtime/oci-spec.js';
import { ociResources } from '../../runtime/cgroups/resources.js';
import { applySandbox } from '../../runtime/sandbox-spec.js';
import type { ContainerRecord, HostConfig } from '../../model/container.js';
import { limitsOf, type ResourceFields } from '../limits/limits-config.js';
import { sandboxOptions, type SandboxFields } from './sandbox-config.js';
import { needsGroupFile, resolveSandbox, type PeerInfo } from './resolve-sandbox.js';

export interface FinishContext {
  capabilities: string[];
  peer: (ref: string) => PeerInfo | undefined;
  /** Reads a text file of the container's image without blocking the event loop (e.g. /etc/group). */
  readImageText: (path: string) => Promise<string | undefined>;
  /** This container's host-side /dev/shm (IpcMode `shareable`). */
  ownShm?: string;
}

export async function finishSpec(spec: OciSpec, rec: ContainerRecord, ctx: FinishContext): Promise<OciSpec> {
  const hc = rec.HostConfig as HostConfig & ResourceFields & SandboxFields;
  const linux = { ...spec.linux };
  linux.resources = { ...(linux.resources as Record<string, unknown>), ...ociResources(limitsOf(hc)) };
  const opts = sandboxOptions(hc);
  const groupText = needsGroupFile(opts) ? await ctx.readImageText('/etc/group') : undefined;
  const sandbox = resolveSandbox(opts, { capabilities: ctx.capabilities, privileged: !!hc.Privileged, peer: ctx.peer, groupText, ownShm: ctx.ownShm });
  return applySandbox({ ...spec, linux }, sandbox);
}
