// Validation against the Compose Specification's JSON schema (schema/compose-spec.json, copied from
// compose-go; see schema/README.md), with ajv's draft 2020-12 validator. Each file is checked on its own
// after interpolation, as compose-go does, so an error names the file and the dotted path of the bad key:
// `validating compose.yaml: services.web additional properties 'imagee' not allowed`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { invalidFile } from '../errors.js';

// CommonJS modules seen from ESM: the class is the default export's `default` (or the export itself).
type AjvCtor = typeof Ajv2020Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvCtor }).default ?? Ajv2020Module) as AjvCtor;
type AddFormats = typeof addFormatsModule.default;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

/** The schema ships in the source tree: from dist/src/compose/loader the same relative path reaches it. */
function schemaPath(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const inDist = /[/\\]dist[/\\]src[/\\]compose[/\\]loader[/\\]?$/.test(here);
  return fileURLToPath(new URL(inDist ? '../../../../src/compose/schema/compose-spec.json' : '../schema/compose-spec.json', import.meta.url));
}

let compiled: ValidateFunction | undefined;

/** Go's time.ParseDuration grammar: `1h30m`, `10s`, `1.5ms`, `-2us`. */
const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$|^0$/;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addFormat('duration', GO_DURATION);
  compiled = ajv.compile(JSON.parse(readFileSync(schemaPath(), 'utf8')) as object);
  return compiled;
}

function dotted(instancePath: string): string {
  return instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
}

/** Picks the error a person needs: the deepest one, preferring "not allowed" keys over type mismatches. */
function describe(errors: ErrorObject[]): string {
  const score = (e: ErrorObject) => e.instancePath.split('/').length * 10 + (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties' ? 5 : 0) + (e.keyword === 'oneOf' || e.keyword === 'anyOf' ? -3 : 0);
  const best = [...errors].sort((a, b) => score(b) - score(a))[0];
  const where = dotted(best.instancePath);
  const prefix = where ? `${where} ` : '';
  switch (best.keyword) {
    case 'additionalProperties':
      return `${prefix}additional properties '${(best.params as { additionalProperty: string }).additionalProperty}' not allowed`;
    case 'unevaluatedProperties':
      return `${prefix}additional properties '${(best.params as { unevaluatedProperty: string }).unevaluatedProperty}' not allowed`;
    case 'type':
      return `${where || '(root)'} must be a ${String((best.params as { type: string | string[] }).type).replace(/,/g, ' or ')}`;
    case 'enum':
      return `${where} must be one of ${((best.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format':
      return `${where} must be a valid ${(best.params as { format: string }).format}`;
    case 'required':
      return `${prefix}missing property '${(best.params as { missingProperty: string }).missingProperty}'`;
    default:
      return `${prefix}${best.message ?? 'is invalid'}`;
  }
}

export function validateComposeDict(dict: unknown, file: string): void {
  const validate = validator();
  if (validate(dict)) return;
  throw invalidFile(`validating ${file}: ${describe(validate.errors ?? [])}`);
}
