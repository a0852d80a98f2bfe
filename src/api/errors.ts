// The single place where engine errors become HTTP statuses and Docker's `{"message": ...}` bodies.
import { BerthError, type ErrorKind, errorMessage } from '../errors.js';

const statusByKind: Record<ErrorKind, number> = {
  'invalid-argument': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'not-modified': 304,
  'not-implemented': 501,
  unavailable: 503,
  internal: 500,
};

export function httpStatusOf(err: unknown): number {
  if (err instanceof BerthError) return statusByKind[err.kind];
  if (err instanceof SyntaxError) return 400; // malformed JSON body
  return 500;
}

export function errorBody(err: unknown): { message: string } {
  return { message: errorMessage(err) };
}
