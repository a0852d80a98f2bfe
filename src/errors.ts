// The one error family of the engine. Engine code throws these; the API layer maps `kind` to an HTTP
// status in exactly one place (src/api/errors.ts). Never match on message text.

export type ErrorKind =
  | 'invalid-argument' // 400
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409
  | 'not-modified' // 304
  | 'not-implemented' // 501
  | 'unavailable' // 503
  | 'internal'; // 500

export class BerthError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = 'BerthError';
  }
}

export const notFound = (message: string): BerthError => new BerthError('not-found', message);
export const conflict = (message: string): BerthError => new BerthError('conflict', message);
export const invalidArgument = (message: string): BerthError => new BerthError('invalid-argument', message);
export const notModified = (message = ''): BerthError => new BerthError('not-modified', message);
export const notImplemented = (message: string): BerthError => new BerthError('not-implemented', message);
export const forbidden = (message: string): BerthError => new BerthError('forbidden', message);
export const internal = (message: string, cause?: unknown): BerthError => new BerthError('internal', message, { cause });

export function isBerthError(err: unknown, kind?: ErrorKind): err is BerthError {
  return err instanceof BerthError && (kind === undefined || err.kind === kind);
}

/** Message of any thrown value, for logs and wrapped errors. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
