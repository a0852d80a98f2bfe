// The OCI process (runc's `exec --process` file) of an exec: the container's own process settings
// (rlimits, capabilities, apparmor...) with the exec's command, environment, user, directory and tty.
import { ALL_CAPABILITIES, hostCapabilities } from '../../runtime/capabilities.js';
import { processEnv } from '../../runtime/oci-spec.js';
import type { ResolvedUser } from '../../runtime/user.js';

export interface ExecProcessInput {
  /** `process` from the container's config.json. */
  base: Record<string, unknown>;
  args: string[];
  /** The container's Config.Env, then the exec's Env (which wins). */
  containerEnv: string[];
  execEnv: string[];
  hostname: string;
  cwd: string;
  user: ResolvedUser;
  tty: boolean;
  privileged: boolean;
  consoleSize?: { height: number; width: number };
}

export function buildExecProcess(input: ExecProcessInput): Record<string, unknown> {
  const proc: Record<string, unknown> = { ...input.base };
  proc.terminal = input.tty;
  proc.args = input.args;
  proc.env = processEnv([...input.containerEnv, ...input.execEnv], input.hostname, input.tty);
  proc.cwd = input.cwd || '/';
  proc.user = {
    uid: input.user.uid, gid: input.user.gid,
    ...(input.user.additionalGids.length ? { additionalGids: input.user.additionalGids } : {}),
  };
  if (input.privileged) {
    const caps = ALL_CAPABILITIES.filter((c) => hostCapabilities().includes(c));
    proc.capabilities = { bounding: caps, effective: caps, permitted: caps };
  }
  delete proc.consoleSize;
  if (input.tty && input.consoleSize && input.consoleSize.height > 0 && input.consoleSize.width > 0) proc.consoleSize = input.consoleSize;
  return proc;
}

/** `exec_create: sh -c exit 3`: the action Docker's exec events carry. */
export function execAction(kind: 'exec_create' | 'exec_start', cmd: string[]): string {
  return `${kind}: ${cmd.join(' ')}`;
}
