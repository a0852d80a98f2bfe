// Decodes a parsed JSON value against a Shape (generated from Docker's API spec) the way Docker's Go
// decoder fills its structs: keys match exactly or else case-insensitively, `null` leaves a field unset,
// keys the API does not have are dropped, a string for a StrSlice is one element, and a value of the
// wrong JSON type is an error naming the field.
import { invalidArgument } from '../../errors.js';

export type Shape =
  | 'string' | 'boolean' | 'integer' | 'number' | 'any' | 'strslice'
  | { ref: string }
  | { array: Shape }
  | { map: Shape }
  | { object: Record<string, Shape> };

export type Definitions = Record<string, Shape>;

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

function goType(shape: Shape, defs: Definitions): string {
  if (typeof shape === 'string') {
    return { string: 'string', boolean: 'bool', integer: 'int64', number: 'float64', any: 'interface {}', strslice: 'strslice.StrSlice' }[shape];
  }
  if ('ref' in shape) return shape.ref;
  if ('array' in shape) return `[]${goType(shape.array, defs)}`;
  if ('map' in shape) return `map[string]${goType(shape.map, defs)}`;
  return 'struct';
}

function mismatch(v: unknown, path: string, shape: Shape, defs: Definitions): never {
  const what = typeof v === 'number' && !Number.isInteger(v) ? `number ${v}` : jsonKind(v);
  const where = path ? `Go struct field ${path}` : 'Go value';
  throw invalidArgument(`json: cannot unmarshal ${what} into ${where} of type ${goType(shape, defs)}`);
}

/** The zero value Go gives a `null` inside an array. */
function zeroOf(shape: Shape, defs: Definitions): unknown {
  if (shape === 'string') return '';
  if (shape === 'boolean') return false;
  if (shape === 'integer' || shape === 'number') return 0;
  if (typeof shape === 'object' && 'ref' in shape) return zeroOf(defs[shape.ref], defs);
  if (typeof shape === 'object' && 'object' in shape) return {};
  return null;
}

/** Field lookup as encoding/json does it: the exact name first, then a case-insensitive match. */
function fieldFor(fields: Record<string, Shape>, key: string): string | undefined {
  if (Object.hasOwn(fields, key)) return key;
  const lower = key.toLowerCase();
  return Object.keys(fields).find((f) => f.toLowerCase() === lower);
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Returns the decoded value, or `undefined` for a JSON null (an unset field). */
export function decodeShape(shape: Shape, v: unknown, defs: Definitions, path = ''): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof shape === 'object' && 'ref' in shape) return decodeShape(defs[shape.ref], v, defs, path);
  switch (shape) {
    case 'any': return v;
    case 'string': if (typeof v !== 'string') mismatch(v, path, shape, defs); return v;
    case 'boolean': if (typeof v !== 'boolean') mismatch(v, path, shape, defs); return v;
    case 'number': if (typeof v !== 'number') mismatch(v, path, shape, defs); return v;
    case 'integer':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) mismatch(v, path, shape, defs);
      return v;
    case 'strslice':
      if (typeof v === 'string') return [v];
      return decodeShape({ array: 'string' }, v, defs, path);
    default: break;
  }
  if ('array' in shape) {
    if (!Array.isArray(v)) mismatch(v, path, shape, defs);
    return v.map((item, i) => (item === null ? zeroOf(shape.array, defs) : decodeShape(shape.array, item, defs, `${path}[${i}]`)));
  }
  if (typeof v !== 'object' || Array.isArray(v)) mismatch(v, path, shape, defs);
  const out: Record<string, unknown> = {};
  if ('map' in shape) {
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      out[k] = item === null ? zeroOf(shape.map, defs) : decodeShape(shape.map, item, defs, join(path, k));
    }
    return out;
  }
  for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
    const field = fieldFor(shape.object, k);
    if (!field) continue; // not in Docker's API: ignored, as Docker's decoder does
    const decoded = decodeShape(shape.object[field], item, defs, join(path, field));
    if (decoded === undefined) delete out[field]; else out[field] = decoded;
  }
  return out;
}
