// A small pflag-like parser: long and short flags, `--flag=value` and `-fvalue`, repeatable lists,
// booleans (`--rm`, `--rm=false`), combined short booleans (`-it`, `-aq`), `--` to end flags, and
// optional non-interspersed mode (run/create stop at the image, so `run busybox ls -l` keeps `-l`).

export type FlagKind = 'bool' | 'string' | 'list' | 'int';

export interface FlagSpec {
  long: string;
  short?: string;
  kind: FlagKind;
  help: string;
  /** Type word shown in usage (pflag's: string, list, int, duration, ...). */
  valueName?: string;
  /** Default shown in usage, e.g. `"json-file"` or `10`. */
  defaultText?: string;
  hidden?: boolean;
}

export type FlagValue = boolean | string | string[] | number;

/** A command-line mistake: printed with a "See 'berth X --help'." hint, exit status 125 like docker. */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 125) { super(message); this.name = 'UsageError'; }
}

export class ParsedFlags {
  constructor(private readonly values: Map<string, FlagValue>, readonly args: string[], readonly helpRequested: boolean) {}
  has(name: string): boolean { return this.values.has(name); }
  bool(name: string): boolean { return this.values.get(name) === true; }
  string(name: string): string | undefined { const v = this.values.get(name); return typeof v === 'string' ? v : undefined; }
  list(name: string): string[] { const v = this.values.get(name); return Array.isArray(v) ? v : []; }
  int(name: string): number | undefined { const v = this.values.get(name); return typeof v === 'number' ? v : undefined; }
}

function parseBool(v: string, flagName: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new UsageError(`invalid argument "${v}" for "${flagName}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

function displayName(spec: FlagSpec): string {
  return spec.short ? `-${spec.short}, --${spec.long}` : `--${spec.long}`;
}

function store(values: Map<string, FlagValue>, spec: FlagSpec, raw: string): void {
  switch (spec.kind) {
    case 'bool': values.set(spec.long, parseBool(raw, displayName(spec))); break;
    case 'string': values.set(spec.long, raw); break;
    case 'list': values.set(spec.long, [...((values.get(spec.long) as string[] | undefined) ?? []), raw]); break;
    case 'int': {
      if (!/^[-+]?\d+$/.test(raw.trim())) {
        throw new UsageError(`invalid argument "${raw}" for "${displayName(spec)}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
      }
      values.set(spec.long, Number(raw));
      break;
    }
  }
}

export interface ParseOptions {
  /** When false, the first positional argument ends flag parsing (docker run/create/exec). */
  interspersed?: boolean;
}

export function parseFlags(argv: string[], specs: FlagSpec[], opts: ParseOptions = {}): ParsedFlags {
  const interspersed = opts.interspersed ?? true;
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  const helpShort = !byShort.has('h');
  const values = new Map<string, FlagValue>();
  const args: string[] = [];
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { args.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (name === 'help' && !byLong.has('help')) { help = true; continue; }
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
      if (eq >= 0) store(values, spec, a.slice(eq + 1));
      else if (spec.kind === 'bool') values.set(spec.long, true);
      else if (i + 1 < argv.length) store(values, spec, argv[++i]);
      else throw new UsageError(`flag needs an argument: --${name}`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // A cluster of short flags: booleans may combine; a value flag takes the rest or the next arg.
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        if (c === 'h' && helpShort) { help = true; continue; }
        const spec = byShort.get(c);
        if (!spec) throw new UsageError(`unknown shorthand flag: '${c}' in ${a}`);
        if (spec.kind === 'bool') {
          if (a[j + 1] === '=') { store(values, spec, a.slice(j + 2)); break; }
          values.set(spec.long, true);
          continue;
        }
        let rest = a.slice(j + 1);
        if (rest.startsWith('=')) rest = rest.slice(1);
        if (rest !== '' || a[j + 1] === '=') store(values, spec, rest);
        else if (i + 1 < argv.length) store(values, spec, argv[++i]);
        else throw new UsageError(`flag needs an argument: '${c}' in -${c}`);
        break;
      }
      continue;
    }
    args.push(a);
    if (!interspersed) { args.push(...argv.slice(i + 1)); break; }
  }
  return new ParsedFlags(values, args, help);
}

/** pflag's option listing: `  -f, --force    Force ...` with the descriptions aligned. */
export function formatFlagUsages(specs: FlagSpec[]): string {
  const rows = specs.filter((s) => !s.hidden).map((s) => {
    let left = s.short ? `  -${s.short}, --${s.long}` : `      --${s.long}`;
    if (s.kind !== 'bool') left += ` ${s.valueName ?? s.kind}`;
    const right = s.help + (s.defaultText !== undefined ? ` (default ${s.defaultText})` : '');
    return { left, right };
  });
  const width = Math.max(0, ...rows.map((r) => r.left.length));
  return rows.map((r) => `${r.left.padEnd(width)}   ${r.right.replace(/\n/g, '\n' + ' '.repeat(width + 3))}`).join('\n');
}
