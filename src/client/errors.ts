// The two ways a call to berthd fails, as the docker CLI tells them apart: the daemon answered with an
// error (`Error response from daemon: <message>`), or it could not be reached at all.

/** The daemon answered with a non-2xx status and Docker's `{"message": ...}` body. */
export class DaemonError extends Error {
  constructor(readonly status: number, readonly daemonMessage: string) {
    super(`Error response from daemon: ${daemonMessage}`);
    this.name = 'DaemonError';
  }
}

/** Nothing listening at the daemon address (refused, missing socket, ...). */
export class ConnectError extends Error {
  constructor(readonly host: string, override readonly cause?: Error) {
    super(`Cannot connect to the Berth daemon at ${host}. Is the berth daemon running?`);
    this.name = 'ConnectError';
  }
}

/** Errors from the socket layer that mean "no daemon there", as opposed to a broken conversation. */
export function isConnectFailure(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND';
}

/** The message body of an error response: JSON `{message}` as Docker sends, else the raw text. */
export function daemonMessage(status: number, body: string): string {
  const text = body.trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (parsed && typeof parsed.message === 'string') return parsed.message;
  } catch { /* not JSON */ }
  return text || `${status}`;
}
