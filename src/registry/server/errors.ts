// The Distribution API's error family. Handlers and storage throw RegistryError with one of the spec's codes;
// `errorStatus` is the only place that turns a code into an HTTP status, and `errorBody` renders Docker's
// `{"errors":[{"code","message","detail"}]}`. These are BerthErrors too, so code outside the server (the CLI,
// berthd's wiring) can treat them like any other engine error.
import { BerthError, type ErrorKind } from '../../errors.js';

export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'RANGE_INVALID'
  | 'PAGINATION_NUMBER_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS';

const statusByCode: Record<RegistryErrorCode, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  RANGE_INVALID: 416,
  PAGINATION_NUMBER_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
};

const kindByStatus: Record<number, ErrorKind> = { 400: 'invalid-argument', 401: 'unauthorized', 403: 'forbidden', 404: 'not-found', 405: 'not-implemented' };

export class RegistryError extends BerthError {
  constructor(readonly code: RegistryErrorCode, message: string, readonly detail?: unknown, readonly status = statusByCode[code]) {
    super(kindByStatus[status] ?? 'invalid-argument', message);
    this.name = 'RegistryError';
  }
}

export const regError = (code: RegistryErrorCode, message: string, detail?: unknown): RegistryError => new RegistryError(code, message, detail);

/** Status for any thrown value: a RegistryError's own, 500 for everything else. */
export function errorStatus(err: unknown): number {
  return err instanceof RegistryError ? err.status : 500;
}

export function errorBody(err: unknown): { errors: Array<{ code: string; message: string; detail?: unknown }> } {
  if (err instanceof RegistryError) {
    return { errors: [{ code: err.code, message: err.message, ...(err.detail === undefined ? {} : { detail: err.detail }) }] };
  }
  return { errors: [{ code: 'UNKNOWN', message: 'unknown error', detail: err instanceof Error ? err.message : String(err) }] };
}
