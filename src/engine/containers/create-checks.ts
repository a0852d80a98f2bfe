// The create-time checks and defaults of the supervision, limits, sandbox and logging fields (each
// subsystem's own rules), applied to the HostConfig being created; returns Docker's warnings.
import type { ContainerConfig, HostConfig } from '../../model/container.js';
import { validateHealthConfig, validateOnFailureLabel, type HealthConfig } from '../health/health-config.js';
import { normalizeResources, type ResourceFields } from '../limits/limits-config.js';
import { checkAutoRemove, validateRestartPolicy } from '../limits/restart-policy-config.js';
import { normalizeLogConfig, type LogConfig } from '../logs/log-config.js';
import { sandboxOptions, type SandboxFields } from '../sandbox/sandbox-config.js';

export function applyCreateChecks(config: ContainerConfig, hostConfig: HostConfig, daemonLog: { driver: string; opts: Record<string, string> }): string[] {
  const warnings: string[] = [];
  validateHealthConfig(config.Healthcheck as HealthConfig | undefined);
  validateOnFailureLabel(config.Labels);
  hostConfig.LogConfig = normalizeLogConfig(hostConfig.LogConfig as LogConfig | undefined, daemonLog);
  warnings.push(...normalizeResources(hostConfig as HostConfig & ResourceFields));
  const sandbox = sandboxOptions(hostConfig as HostConfig & SandboxFields, warnings);
  // Not applied (needs CAP_SYS_RESOURCE): inspect shows what the container really has.
  if (hostConfig.OomScoreAdj && sandbox.oomScoreAdj === undefined) hostConfig.OomScoreAdj = 0;
  const policy = validateRestartPolicy(hostConfig.RestartPolicy);
  hostConfig.RestartPolicy = policy;
  checkAutoRemove(hostConfig.AutoRemove, policy);
  return warnings;
}
