// The exec API's shapes: what `POST /containers/{id}/exec` accepts and what `GET /exec/{id}/json` shows.

export interface ExecCreateRequest {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Tty?: boolean;
  /** [height, width] of the terminal at start (docker 28 sends it with -t). */
  ConsoleSize?: [number, number] | null;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
}

export interface ExecSession {
  id: string;
  containerId: string;
  config: ExecCreateRequest & { Cmd: string[] };
  running: boolean;
  /** Null until the process ended. */
  exitCode: number | null;
  pid: number;
  /** True once start was called (an exec runs once). */
  started: boolean;
  /** ms since the epoch; a session never started expires (exec-service.ts). */
  createdAt: number;
  finishedAt?: number;
}

/** Docker's `GET /exec/{id}/json` body. */
export function execInspectView(s: ExecSession): Record<string, unknown> {
  const [entrypoint, ...args] = s.config.Cmd;
  return {
    CanRemove: false,
    ContainerID: s.containerId,
    DetachKeys: s.config.DetachKeys ?? '',
    ExitCode: s.exitCode,
    ID: s.id,
    OpenStderr: !!s.config.AttachStderr,
    OpenStdin: !!s.config.AttachStdin,
    OpenStdout: !!s.config.AttachStdout,
    ProcessConfig: {
      arguments: args,
      entrypoint,
      privileged: !!s.config.Privileged,
      tty: !!s.config.Tty,
      user: s.config.User ?? '',
    },
    Running: s.running,
    Pid: s.pid,
  };
}
