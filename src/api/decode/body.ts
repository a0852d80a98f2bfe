// JSON request bodies: read with a size bound, parsed, and decoded against Docker's API shape into the
// typed options the engine takes. Malformed JSON or a wrong type is a 400 naming the field.
import { invalidArgument } from '../../errors.js';
import type { RequestContext } from '../context.js';
import { readBody } from '../context.js';
import { decodeShape } from './shape.js';
import { BODIES, DEFINITIONS } from './shapes.gen.js';

/** JSON bodies are small; anything bigger is refused before it is buffered. */
export const JSON_BODY_LIMIT = 4 * 1024 * 1024;

export type BodyName = keyof typeof BODIES;

/** Parses the body; an empty body (or JSON `null`, when `nullIsEmpty`) is `undefined`. */
async function readJson(ctx: RequestContext): Promise<unknown> {
  const text = (await readBody(ctx, JSON_BODY_LIMIT)).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalidArgument(`invalid JSON: ${(err as Error).message}`);
  }
}

/**
 * Reads and decodes a body declared in the API spec. An empty body or `null` gives `{}`; `T` is the
 * engine's option type for that body (the decoder guarantees the JSON types match the spec).
 */
export async function readDecodedBody<T>(ctx: RequestContext, name: BodyName): Promise<{ value: T; empty: boolean }> {
  const raw = await readJson(ctx);
  if (raw === undefined || raw === null) return { value: {} as T, empty: true };
  const value = decodeShape(BODIES[name], raw, DEFINITIONS) as T;
  return { value, empty: false };
}
