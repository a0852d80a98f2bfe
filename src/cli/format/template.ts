// Executes parsed templates with Go's semantics where docker users notice them: printing (`<no value>`,
// `[a b]`, `map[k:v]`), truthiness, field lookup that calls methods (`.Label "k"`), and docker's own
// template functions (json, join, split, lower, upper, title, pad, truncate, println) plus Go's builtins.
import { parseTemplate, TemplateError, type Command, type Node, type Operand, type Pipeline } from './template-parse.js';

export { TemplateError };
export type { Fn };

type Fn = (...args: unknown[]) => unknown;
type Vars = Map<string, unknown>;

/** Go's %v. */
export function printValue(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (typeof v === 'object') {
    const custom = (v as { toString?: () => string }).toString;
    if (custom && custom !== Object.prototype.toString) return custom.call(v);
    const obj = v as Record<string, unknown>;
    return `map[${Object.keys(obj).sort().map((k) => `${k}:${printValue(obj[k])}`).join(' ')}]`;
  }
  return String(v);
}

export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0 || typeof (v as { toJSON?: unknown }).toJSON === 'function';
  return true;
}

function sprintf(format: string, ...args: unknown[]): string {
  let i = 0;
  return format.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdvqtxf%])/g, (_m, _flags: string, width: string, prec: string, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    let s: string;
    switch (verb) {
      case 'q': s = JSON.stringify(printValue(a)); break;
      case 'd': s = String(Math.trunc(Number(a))); break;
      case 'x': s = Math.trunc(Number(a)).toString(16); break;
      case 'f': s = Number(a).toFixed(prec ? Number(prec) : 6); break;
      default: s = printValue(a);
    }
    const w = Number(width || 0);
    return _flags.includes('-') ? s.padEnd(w) : s.padStart(w);
  });
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a), sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function lengthOf(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  throw new TemplateError(`len of type ${typeof v}`);
}

function indexValue(v: unknown, ...keys: unknown[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (cur === null || cur === undefined) return undefined;
    if (Array.isArray(cur) || typeof cur === 'string') {
      const n = Number(k);
      if (n < 0 || n >= cur.length) throw new TemplateError(`error calling index: index out of range: ${n}`);
      cur = cur[n];
    } else if (typeof cur === 'object') {
      const obj = cur as Record<string, unknown>;
      cur = Object.prototype.hasOwnProperty.call(obj, String(k)) ? obj[String(k)] : '';
    } else throw new TemplateError(`can't index item of type ${typeof cur}`);
  }
  return cur;
}

const titleCase = (s: string) => s.replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_m, pre: string, ch: string) => pre + ch.toUpperCase());

export const defaultFunctions: Record<string, Fn> = {
  // Docker's formatting contexts marshal themselves with Go's HTML escaping; plain data does not.
  json: (v) => {
    const s = JSON.stringify(v === undefined ? null : v);
    const isContext = !!v && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function';
    return isContext ? s.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026') : s;
  },
  split: (s, sep) => String(s).split(String(sep)),
  join: (arr, sep) => (Array.isArray(arr) ? arr.map(printValue).join(String(sep)) : printValue(arr)),
  title: (s) => titleCase(String(s)),
  lower: (s) => String(s).toLowerCase(),
  upper: (s) => String(s).toUpperCase(),
  pad: (s, before, after) => ' '.repeat(Number(before)) + printValue(s) + ' '.repeat(Number(after)),
  truncate: (s, n) => { const r = [...String(s)]; return r.length > Number(n) ? r.slice(0, Number(n)).join('') : String(s); },
  println: (...a) => a.map(printValue).join(' ') + '\n',
  print: (...a) => a.map(printValue).join(''),
  printf: (f, ...a) => sprintf(String(f), ...a),
  index: (v, ...k) => indexValue(v, ...k),
  len: (v) => lengthOf(v),
  slice: (v, from, to) => (typeof v === 'string' || Array.isArray(v) ? v.slice(Number(from ?? 0), to === undefined ? undefined : Number(to)) : v),
  eq: (a, ...b) => b.some((x) => x === a || (typeof x !== 'object' && String(x) === String(a) && typeof x === typeof a)),
  ne: (a, b) => a !== b,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  and: (...a) => { for (const x of a) if (!truthy(x)) return x; return a[a.length - 1]; },
  or: (...a) => { for (const x of a) if (truthy(x)) return x; return a[a.length - 1]; },
  not: (a) => !truthy(a),
};

export interface TemplateOptions {
  funcs?: Record<string, Fn>;
  /** inspect: a missing key of a struct-like object is an error, as in docker's missingkey=error fallback. */
  strictKeys?: boolean;
  /** Go type named in "can't evaluate field X in type T" for formatting contexts (class instances). */
  typeName?: string;
  /** How a JSON null prints, by field name (Go prints nil slices as [], nil maps as map[]). */
  nullText?: (field: string) => string;
  /** Struct fields the daemon may omit (omitempty pointers): missing means nil, not an error. */
  optionalFields?: Record<string, unknown>;
  /** The template's name as Go prints it in errors (`version` for docker version). */
  name?: string;
}

/** An execution failure, worded and positioned as Go's text/template reports it. */
export class TemplateExecError extends TemplateError {}

/** Objects whose keys all look like Go struct fields (maps such as Labels have free-form keys). */
function structLike(o: object): boolean {
  const keys = Object.keys(o);
  return keys.length > 0 && keys.every((k) => /^[A-Z]/.test(k));
}

export class Template {
  private readonly nodes: Node[];
  private readonly funcs: Record<string, Fn>;
  constructor(readonly source: string, private readonly opts: TemplateOptions = {}) {
    this.funcs = opts.funcs ?? defaultFunctions;
    this.nodes = parseTemplate(source);
    this.checkFunctions(this.nodes);
  }

  private fail(op: Operand, message: string): never {
    const pos = op.t === 'lit' ? 0 : op.pos;
    const before = this.source.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - (before.lastIndexOf('\n') + 1);
    const name = this.opts.name ?? '';
    throw new TemplateExecError(`template: ${name}:${line}:${col}: executing "${name}" at <${describe(op)}>: ${message}`);
  }

  private checkFunctions(nodes: Node[]): void {
    const checkPipe = (p: Pipeline) => {
      for (const c of p.cmds) for (const a of c.args) {
        if (a.t === 'ident' && !(a.name in this.funcs)) throw new TemplateError(`template: :1: function "${a.name}" not defined`);
        if (a.t === 'field' && a.expr) checkPipe(a.expr);
      }
    };
    for (const n of nodes) {
      if (n.t === 'action') checkPipe(n.pipe);
      else if (n.t !== 'text') { checkPipe(n.pipe); this.checkFunctions(n.body); this.checkFunctions(n.elseBody); }
    }
  }

  execute(data: unknown): string {
    const vars: Vars = new Map([['$', data]]);
    return this.run(this.nodes, data, vars);
  }

  private run(nodes: Node[], dot: unknown, vars: Vars): string {
    let out = '';
    for (const n of nodes) {
      if (n.t === 'text') { out += n.text; continue; }
      if (n.t === 'action') {
        const v = this.pipe(n.pipe, dot, vars);
        if (n.pipe.decl.length === 0) out += v === null ? this.nullFor(n.pipe) : printValue(v);
        continue;
      }
      const scope = new Map(vars);
      if (n.t === 'if') {
        out += truthy(this.pipe(n.pipe, dot, scope)) ? this.run(n.body, dot, scope) : this.run(n.elseBody, dot, scope);
      } else if (n.t === 'with') {
        const v = this.pipe(n.pipe, dot, scope);
        out += truthy(v) ? this.run(n.body, v, scope) : this.run(n.elseBody, dot, scope);
      } else {
        const v = this.evalPipe(n.pipe, dot, scope);
        const entries: Array<[unknown, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x])
          : v && typeof v === 'object' ? Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])
          : typeof v === 'number' ? Array.from({ length: v }, (_x, i) => [i, i]) : [];
        if (!entries.length) { out += this.run(n.elseBody, dot, scope); continue; }
        for (const [k, x] of entries) {
          const inner = new Map(scope);
          if (n.pipe.decl.length === 1) inner.set(n.pipe.decl[0], x);
          if (n.pipe.decl.length === 2) { inner.set(n.pipe.decl[0], k); inner.set(n.pipe.decl[1], x); }
          out += this.run(n.body, x, inner);
        }
      }
    }
    return out;
  }

  private nullFor(p: Pipeline): string {
    const only = p.cmds.length === 1 && p.cmds[0].args.length === 1 ? p.cmds[0].args[0] : undefined;
    if (this.opts.nullText && only?.t === 'field' && only.path.length) return this.opts.nullText(only.path[only.path.length - 1]);
    return '<nil>';
  }

  /** Evaluates a pipeline and stores its declared variables. */
  private pipe(p: Pipeline, dot: unknown, vars: Vars): unknown {
    const v = this.evalPipe(p, dot, vars);
    if (p.decl.length === 1) vars.set(p.decl[0], v);
    return v;
  }

  private evalPipe(p: Pipeline, dot: unknown, vars: Vars): unknown {
    let prev: unknown;
    let first = true;
    for (const c of p.cmds) {
      prev = this.command(c, dot, vars, first ? [] : [prev]);
      first = false;
    }
    return prev;
  }

  private command(c: Command, dot: unknown, vars: Vars, piped: unknown[]): unknown {
    const [head, ...rest] = c.args;
    const args = () => [...rest.map((a) => this.operand(a, dot, vars)), ...piped];
    if (head.t === 'ident') {
      const values = args();
      try { return this.funcs[head.name](...values); } catch (err) {
        if (err instanceof TemplateExecError) throw err;
        this.fail(head, (err as Error).message.startsWith('error calling') ? (err as Error).message : `error calling ${head.name}: ${(err as Error).message}`);
      }
    }
    if (head.t === 'field' && head.path.length) {
      const base = this.base(head, dot, vars);
      return this.walk(base, head.path, args(), head);
    }
    if (rest.length || piped.length) this.fail(head, `can't give argument to non-function ${describe(head)}`);
    return this.operand(head, dot, vars);
  }

  private base(op: Extract<Operand, { t: 'field' }>, dot: unknown, vars: Vars): unknown {
    if (op.base === 'dot') return dot;
    if (op.base === 'expr') return this.evalPipe(op.expr!, dot, vars);
    if (!vars.has(op.name!)) this.fail(op, `undefined variable "${op.name}"`);
    return vars.get(op.name!);
  }

  private operand(op: Operand, dot: unknown, vars: Vars): unknown {
    if (op.t === 'lit') return op.v;
    if (op.t === 'ident') return this.funcs[op.name]();
    return this.walk(this.base(op, dot, vars), op.path, [], op);
  }

  /** Follows `.A.B.C`; a function-valued field is a method, called with the final arguments. */
  private walk(value: unknown, path: string[], finalArgs: unknown[], op: Operand): unknown {
    let cur = value;
    for (let i = 0; i < path.length; i++) {
      const name = path[i];
      if (cur === null || cur === undefined) {
        if (cur === null) this.fail(op, `nil pointer evaluating interface {}.${name}`);
        return undefined;
      }
      if (typeof cur !== 'object' || Array.isArray(cur)) {
        this.fail(op, `can't evaluate field ${name} in type ${this.opts.strictKeys ? 'interface {}' : Array.isArray(cur) ? '[]interface {}' : typeof cur === 'string' ? 'string' : typeof cur === 'number' ? 'float64' : typeof cur}`);
      }
      const obj = cur as Record<string, unknown>;
      let field = obj[name];
      const last = i === path.length - 1;
      if (field === undefined && !(name in obj)) {
        const isPlain = Object.getPrototypeOf(obj) === Object.prototype || Object.getPrototypeOf(obj) === null;
        if (this.opts.optionalFields && Object.prototype.hasOwnProperty.call(this.opts.optionalFields, name)) field = this.opts.optionalFields[name];
        else if (!isPlain && this.opts.typeName) this.fail(op, `can't evaluate field ${name} in type ${this.opts.typeName}`);
        else if (isPlain && this.opts.strictKeys && structLike(obj)) {
          this.fail(op, this.opts.typeName && i === 0 ? `can't evaluate field ${name} in type ${this.opts.typeName}` : `map has no entry for key "${name}"`);
        }
      }
      if (typeof field === 'function' && last && (field as Fn).length > finalArgs.length) {
        this.fail(op, `wrong number of args for ${name}: want ${(field as Fn).length} got ${finalArgs.length}`);
      }
      if (typeof field === 'function') {
        cur = (field as Fn).apply(cur, last ? finalArgs : []);
        continue;
      }
      if (last && finalArgs.length) this.fail(op, `${name} has arguments but cannot be invoked as function`);
      cur = field;
    }
    return cur;
  }
}

function describe(op: Operand): string {
  if (op.t === 'field') return (op.base === 'var' ? op.name : '') + (op.path.length ? '.' + op.path.join('.') : op.base === 'dot' ? '.' : '');
  if (op.t === 'ident') return op.name;
  return String(op.v);
}
