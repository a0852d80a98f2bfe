// `berth inspect` (containers, then images), `container inspect`, `image inspect`: the daemon's JSON as
// an indented array (Go's MarshalIndent, HTML characters escaped), or `--format` run over each object.
import type { CliContext, VerbSpec } from '../command.js';
import { ExitError } from '../command.js';
import type { FlagSpec, ParsedFlags } from '../flags.js';
import { DaemonError } from '../../client/errors.js';
import { compileTemplate } from '../format/formatter.js';
import { TemplateError, type TemplateOptions } from '../format/template.js';

/** json.MarshalIndent(v, "", "    ") as Go writes it. */
export function goIndentJson(v: unknown): string {
  return JSON.stringify(v, null, 4)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

type Kind = 'container' | 'image';
type Getter = (ctx: CliContext, ref: string, size: boolean) => Promise<unknown>;

const getters: Record<Kind, Getter> = {
  container: (ctx, ref, size) => ctx.client().containerInspect(ref, size),
  image: (ctx, ref) => ctx.client().imageInspect(ref),
};

async function fetchOne(ctx: CliContext, ref: string, kinds: Kind[], size: boolean, generic: boolean): Promise<unknown> {
  for (const k of kinds) {
    try { return await getters[k](ctx, ref, size); } catch (err) {
      if (!(err instanceof DaemonError) || err.status !== 404) throw err;
      if (!generic && kinds.length === 1) throw err;
    }
  }
  throw new Error(`Error: No such object: ${ref}`);
}

const mapFields = new Set(['Labels', 'Volumes', 'ExposedPorts', 'Annotations', 'Options', 'Tmpfs', 'Sysctls', 'StorageOpt', 'DriverOpts', 'Ports', 'Networks', 'PortBindings', 'LogConfig']);
const pointerFields = new Set(['Health', 'Healthcheck', 'NetworkingConfig', 'GraphDriver', 'Metadata', 'IPAMConfig', 'Platform']);

/** Go's printing of the typed nil behind a JSON null: nil maps `map[]`, nil pointers `<nil>`, nil slices `[]`. */
export const inspectTemplateOptions: TemplateOptions = {
  strictKeys: true,
  nullText: (field) => (mapFields.has(field) ? 'map[]' : pointerFields.has(field) ? '<nil>' : '[]'),
  optionalFields: Object.fromEntries([
    ...[...pointerFields, ...mapFields, 'OnBuild', 'Shell', 'Entrypoint', 'Cmd', 'StopTimeout'].map((f) => [f, null]),
    ...['StopSignal', 'Domainname', 'MacAddress'].map((f) => [f, '']),
  ]),
};

/** `--format` on inspect: taken literally (no `\t` escapes, unlike list formats), `json` as a shorthand. */
function inspectTemplateSource(format: string): string {
  return format.trim() === 'json' ? '{{json .}}' : format;
}

export function renderInspect(elements: unknown[], format: string | undefined): string {
  if (!format) return elements.length ? goIndentJson(elements) + '\n' : '[]\n';
  const tmpl = compileTemplate(inspectTemplateSource(format), { template: inspectTemplateOptions });
  return elements.map((e) => tmpl.execute(e) + '\n').join('');
}

/**
 * `volume inspect`, `network inspect`: fetch each name, print what was found (JSON or `--format`), then
 * fail with every error, as docker does.
 */
export async function inspectEach(ctx: CliContext, names: string[], format: string | undefined, fetch: (name: string) => Promise<unknown>): Promise<number> {
  const elements: unknown[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try { elements.push(await fetch(name)); } catch (err) { errors.push((err as Error).message); }
  }
  const out = renderInspect(elements, format === 'json' ? undefined : format);
  if (elements.length || !format) ctx.stdout.write(out);
  if (errors.length) throw new ExitError(errors.join('\n'), 1);
  return 0;
}

async function inspect(ctx: CliContext, flags: ParsedFlags, kinds: Kind[], generic: boolean): Promise<number> {
  const elements: unknown[] = [];
  const errors: string[] = [];
  const format = flags.string('format');
  // docker exits 64 (usage) on a template that does not parse, before asking the daemon anything.
  if (format) {
    try { compileTemplate(inspectTemplateSource(format), { template: inspectTemplateOptions }); } catch (err) { throw new ExitError((err as Error).message, 64); }
  }
  for (const ref of flags.args) {
    try { elements.push(await fetchOne(ctx, ref, kinds, flags.bool('size'), generic)); } catch (err) {
      errors.push((err as Error).message);
    }
  }
  let out: string;
  try { out = renderInspect(elements, format); } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    ctx.stdout.write('\n');
    throw new ExitError(`template parsing error: ${err.message}`, 1);
  }
  if (out !== '' && (elements.length || !format)) ctx.stdout.write(out);
  if (errors.length) throw new ExitError(errors.join('\n'), 1);
  return 0;
}

const formatFlag: FlagSpec = { long: 'format', short: 'f', kind: 'string', help: "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template." };

export const inspectVerb: VerbSpec = {
  usage: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
  summary: 'Return low-level information on Docker objects',
  flags: [
    formatFlag,
    { long: 'size', short: 's', kind: 'bool', help: 'Display total file sizes if the type is container' },
    { long: 'type', kind: 'string', help: 'Only inspect objects of the given type' },
  ],
  args: { min: 1 },
  run(ctx, flags) {
    const type = flags.string('type');
    if (type && type !== 'container' && type !== 'image') throw new ExitError(`"${type}" is not a valid value for --type`, 1);
    return inspect(ctx, flags, type ? [type as Kind] : ['container', 'image'], true);
  },
};

export const containerInspectVerb: VerbSpec = {
  usage: 'inspect [OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Display detailed information on one or more containers',
  flags: [formatFlag, { long: 'size', short: 's', kind: 'bool', help: 'Display total file sizes' }],
  args: { min: 1 },
  run: (ctx, flags) => inspect(ctx, flags, ['container'], false),
};

export const imageInspectVerb: VerbSpec = {
  usage: 'inspect [OPTIONS] IMAGE [IMAGE...]',
  summary: 'Display detailed information on one or more images',
  flags: [formatFlag],
  args: { min: 1 },
  run: (ctx, flags) => inspect(ctx, flags, ['image'], false),
};
