// Parser for the Go text/template subset docker's --format accepts: text and {{actions}} with trim
// markers, pipelines (`a | b`), fields (.A.B), variables ($, $x, `$k, $v :=`), literals, function calls,
// parenthesised pipelines, and if/else if/else, range/else, with/else, end, comments.

/** `pos` is the byte offset Go reports for the node (for chained fields, the second segment's). */
export type Operand =
  | { t: 'field'; base: 'dot' | 'var' | 'expr'; name?: string; expr?: Pipeline; path: string[]; pos: number }
  | { t: 'lit'; v: string | number | boolean | null }
  | { t: 'ident'; name: string; pos: number };

export interface Command { args: Operand[] }
export interface Pipeline { decl: string[]; cmds: Command[] }

export type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipeline }
  | { t: 'if' | 'with' | 'range'; pipe: Pipeline; body: Node[]; elseBody: Node[] };

export class TemplateError extends Error {}

/** Position of the node Go reports: a chained field (.A.B) is placed at its second segment. */
function fieldPos(tokPos: number, text: string): number {
  const second = text.indexOf('.', 1);
  return second > 0 ? tokPos + second : tokPos;
}

type Tok = { k: 'field' | 'var' | 'str' | 'num' | 'ident' | 'punct'; v: string; pos: number };

function lexAction(src: string, base: number): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new TemplateError('unterminated quoted string');
      toks.push({ k: 'str', v: JSON.parse(src.slice(i, j + 1)) as string, pos: base + i });
      i = j + 1; continue;
    }
    if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) throw new TemplateError('unterminated raw quoted string');
      toks.push({ k: 'str', v: src.slice(i + 1, j), pos: base + i });
      i = j + 1; continue;
    }
    if (c === ':' && src[i + 1] === '=') { toks.push({ k: 'punct', v: ':=', pos: base + i }); i += 2; continue; }
    if ('()|,='.includes(c)) { toks.push({ k: 'punct', v: c, pos: base + i }); i++; continue; }
    const m = /^(?:\.[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*|-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i));
    if (!m) throw new TemplateError(`unexpected "${c}" in operand`);
    const w = m[0];
    const k: Tok['k'] = w[0] === '.' ? 'field' : w[0] === '$' ? 'var' : /^-?\d/.test(w) ? 'num' : 'ident';
    toks.push({ k, v: w, pos: base + i });
    i += w.length;
  }
  return toks;
}

class ActionParser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}
  private peek(): Tok | undefined { return this.toks[this.i]; }
  done(): boolean { return this.i >= this.toks.length; }

  pipeline(): Pipeline {
    const decl: string[] = [];
    // `$x :=` or `$k, $v :=`
    const save = this.i;
    const vars: string[] = [];
    while (this.peek()?.k === 'var' && !this.peek()!.v.slice(1).includes('.')) {
      vars.push(this.toks[this.i++].v);
      if (this.peek()?.v === ',') { this.i++; continue; }
      break;
    }
    if (vars.length && (this.peek()?.v === ':=' || this.peek()?.v === '=')) { this.i++; decl.push(...vars); } else this.i = save;
    const cmds: Command[] = [this.command()];
    while (this.peek()?.v === '|') { this.i++; cmds.push(this.command()); }
    return { decl, cmds };
  }

  private command(): Command {
    const args: Operand[] = [];
    for (;;) {
      const t = this.peek();
      if (!t || t.v === '|' || t.v === ')') break;
      args.push(this.operand());
    }
    if (!args.length) throw new TemplateError('missing value for command');
    return { args };
  }

  private operand(): Operand {
    const t = this.toks[this.i++];
    if (t.k === 'punct' && t.v === '(') {
      const inner = this.pipeline();
      if (this.toks[this.i++]?.v !== ')') throw new TemplateError('unclosed left paren');
      const next = this.peek();
      const path: string[] = [];
      let pos = t.pos;
      // A field chain right after `)` continues the parenthesised value: (index .X 0).Name
      if (next?.k === 'field' && next.v.length > 1) { this.i++; path.push(...next.v.slice(1).split('.')); pos = next.pos; }
      return { t: 'field', base: 'expr', expr: inner, path, pos };
    }
    if (t.k === 'field') return { t: 'field', base: 'dot', path: t.v === '.' ? [] : t.v.slice(1).split('.'), pos: fieldPos(t.pos, t.v) };
    if (t.k === 'var') {
      const [name, ...path] = t.v.split('.');
      return { t: 'field', base: 'var', name, path, pos: t.pos };
    }
    if (t.k === 'str') return { t: 'lit', v: t.v };
    if (t.k === 'num') return { t: 'lit', v: Number(t.v) };
    if (t.k === 'ident') {
      if (t.v === 'true' || t.v === 'false') return { t: 'lit', v: t.v === 'true' };
      if (t.v === 'nil') return { t: 'lit', v: null };
      return { t: 'ident', name: t.v, pos: t.pos };
    }
    throw new TemplateError(`unexpected "${t.v}" in operand`);
  }
}

interface RawAction { kind: 'text'; text: string }
interface RawTag { kind: 'tag'; body: string; line: number; start: number }

function split(src: string): Array<RawAction | RawTag> {
  const out: Array<RawAction | RawTag> = [];
  let pos = 0;
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    if (open < 0) { out.push({ kind: 'text', text: src.slice(pos) }); break; }
    let text = src.slice(pos, open);
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) { text = text.replace(/\s+$/, ''); start += 1; }
    const close = src.indexOf('}}', start);
    if (close < 0) throw new TemplateError(`template: :${lineOf(src, open)}: unclosed action`);
    let end = close;
    let trimAfter = false;
    if (src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '')) { end = close - 1; trimAfter = true; }
    if (text) out.push({ kind: 'text', text });
    const raw = src.slice(start, end);
    out.push({ kind: 'tag', body: raw.trim(), line: lineOf(src, open), start: start + (raw.length - raw.trimStart().length) });
    pos = close + 2;
    if (trimAfter) while (pos < src.length && /\s/.test(src[pos])) pos++;
  }
  return out;
}

function lineOf(src: string, idx: number): number {
  return src.slice(0, idx).split('\n').length;
}

export function parseTemplate(source: string): Node[] {
  const src = source;
  const parts = split(src);
  let idx = 0;

  // Parses nodes until an {{end}} / {{else}} at this level; returns what stopped it.
  const list = (): { nodes: Node[]; stop: 'end' | 'else' | 'eof'; elseRest?: string } => {
    const nodes: Node[] = [];
    while (idx < parts.length) {
      const p = parts[idx++];
      if (p.kind === 'text') { nodes.push({ t: 'text', text: p.text }); continue; }
      const body = p.body;
      const where = `template: :${p.line}:`;
      if (body.startsWith('/*')) continue;
      const word = /^[a-z]+/.exec(body)?.[0] ?? '';
      const rest = body.slice(word.length).trim();
      try {
        if (word === 'end' && rest === '') return { nodes, stop: 'end' };
        if (word === 'else') return { nodes, stop: 'else', elseRest: rest };
        if (word === 'if' || word === 'range' || word === 'with') {
          nodes.push(control(word, rest, p.start + body.indexOf(rest)));
          continue;
        }
        nodes.push({ t: 'action', pipe: parsePipeline(body, p.start) });
      } catch (err) {
        if (err instanceof TemplateError && !err.message.startsWith('template:')) throw new TemplateError(`${where} ${err.message}`);
        throw err;
      }
    }
    return { nodes, stop: 'eof' };
  };

  const control = (kind: 'if' | 'range' | 'with', header: string, headerPos: number): Node => {
    const pipe = parsePipeline(header, headerPos);
    const body = list();
    let elseBody: Node[] = [];
    if (body.stop === 'eof') throw new TemplateError(`template: :${src.split('\n').length}: unexpected EOF`);
    if (body.stop === 'else') {
      const chained = /^(if|with)\b/.exec(body.elseRest ?? '');
      if (chained) {
        elseBody = [control(chained[1] as 'if' | 'with', (body.elseRest ?? '').slice(chained[1].length).trim(), 0)];
      } else {
        const e = list();
        if (e.stop !== 'end') throw new TemplateError(`template: :1: expected end; found ${e.stop}`);
        elseBody = e.nodes;
      }
    }
    return { t: kind, pipe, body: body.nodes, elseBody };
  };

  const top = list();
  if (top.stop !== 'eof') throw new TemplateError(`template: :1: unexpected {{${top.stop}}}`);
  return top.nodes;
}

function parsePipeline(src: string, base: number): Pipeline {
  const p = new ActionParser(lexAction(src, base));
  if (p.done()) throw new TemplateError('missing value for command');
  const pipe = p.pipeline();
  if (!p.done()) throw new TemplateError('unexpected ")" in operand');
  return pipe;
}
