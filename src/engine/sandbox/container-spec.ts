// The last step of a container's OCI spec: its limits (runtime/cgroups) and its sandbox (seccomp,
// namespaces, devices, groups, sysctls, init), from the stored HostConfig. Called by launch.
import type { OciSpec } from '../../runtime/oci-spec.js';
import { ociResources } from '../../runtime/cgroups/resources.js';
import { applySandbox } from '../../runtime/sandbox-spec.js';
import type { ContainerRecord, HostConfig } from '../containers/types.js';
import { limitsOf, type ResourceFields } from '../limits/limits-config.js';
import { sandboxOptions, type SandboxFields } from './sandbox-config.js';
import { resolveSandbox, type PeerInfo } from './resolve-sandbox.js';

export interface FinishContext {
  capabilities: string[];
  peer: (ref: string) => PeerInfo | undefined;
  readFile: (path: string) => string | undefined;
}

export function finishSpec(spec: OciSpec, rec: ContainerRecord, ctx: FinishContext): OciSpec {
  const hc = rec.HostConfig as HostConfig & ResourceFields & SandboxFields;
  const linux = { ...spec.linux };
  linux.resources = { ...(linux.resources as Record<string, unknown>), ...ociResources(limitsOf(hc)) };
  const sandbox = resolveSandbox(sandboxOptions(hc), { capabilities: ctx.capabilities, privileged: !!hc.Privileged, peer: ctx.peer, readFile: ctx.readFile });
  return applySandbox({ ...spec, linux }, sandbox);
}
