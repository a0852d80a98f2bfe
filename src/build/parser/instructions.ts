// Nodes → typed instructions: what each Dockerfile instruction says, checked as Docker checks it (argument
// counts, flags, exec vs shell form), with Docker's messages and line numbers. Variables are NOT expanded
// here: that needs the build state (ENV, ARG) and happens when the builder dispatches the instruction.
import type { Heredoc, Node } from './nodes.js';
import { parseError } from './nodes.js';
import { splitWords } from './shell-words.js';
import { invalidArgument } from '../../errors.js';

/** Exec form (`["a","b"]`) or shell form (the raw string, to run under SHELL). */
export type CommandLine = { exec: string[] } | { shell: string };

export interface KeyValue { key: string; value: string }

export interface HealthSpec { test: string[]; interval?: string; timeout?: string; startPeriod?: string; retries?: string }

export type Instruction =
  | { kind: 'from'; image: string; stageName?: string; platform?: string }
  | { kind: 'run'; cmd: CommandLine; network?: string; heredocs: Heredoc[] }
  | { kind: 'cmd' | 'entrypoint'; cmd: CommandLine }
  | { kind: 'env' | 'label'; pairs: KeyValue[] }
  | { kind: 'arg'; name: string; default?: string }
  | { kind: 'expose' | 'volume'; words: string[]; json?: string[] }
  | { kind: 'copy' | 'add'; sources: string[]; dest: string; from?: string; chown?: string; chmod?: string; link: boolean; heredocs: Heredoc[]; json: boolean }
  | { kind: 'workdir' | 'user' | 'stopsignal' | 'maintainer'; value: string }
  | { kind: 'healthcheck'; health: HealthSpec | 'none' }
  | { kind: 'shell'; shell: string[] }
  | { kind: 'onbuild'; expression: string };

export type Located<T = Instruction> = T & { node: Node };

const KNOWN = ['from', 'run', 'cmd', 'entrypoint', 'env', 'label', 'arg', 'expose', 'volume', 'copy', 'add', 'workdir', 'user',
  'stopsignal', 'maintainer', 'healthcheck', 'shell', 'onbuild'];

/** The flags each instruction accepts (name → takes a value). */
const FLAGS: Record<string, Record<string, boolean>> = {
  from: { platform: true },
  run: { network: true, mount: true, security: true },
  copy: { from: true, chown: true, chmod: true, link: false },
  add: { chown: true, chmod: true, link: false, checksum: true },
  healthcheck: { interval: true, timeout: true, 'start-period': true, retries: true },
};

function parseFlags(node: Node): Map<string, string> {
  const allowed = FLAGS[node.keyword] ?? {};
  const out = new Map<string, string>();
  for (const f of node.flags) {
    const m = /^--([^=]+)(?:=([\s\S]*))?$/.exec(f)!;
    const name = m[1];
    if (!(name in allowed)) throw parseError(node.startLine, `Unknown flag: ${name}`);
    let value = m[2] ?? '';
    if (allowed[name] && m[2] === undefined) throw parseError(node.startLine, `Missing a value on flag: ${name}`);
    if (!allowed[name] && m[2] !== undefined && !['true', 'false'].includes(value)) throw parseError(node.startLine, `Boolean flag ${name} expects true or false, not ${value}`);
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    out.set(name, allowed[name] ? value : (m[2] ?? 'true'));
  }
  return out;
}

/** `["a", "b"]` when the text is a JSON array of strings, else undefined (then it is shell form). */
export function jsonForm(s: string): string[] | undefined {
  const t = s.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch { return undefined; }
}

function commandLine(args: string): CommandLine {
  return jsonForm(args) ? { exec: jsonForm(args)! } : { shell: args };
}

/** ENV/LABEL `k=v k2="v 2"` or the legacy `ENV k v with spaces`. Values keep their quotes (expanded later). */
function nameValues(node: Node, escape: string): KeyValue[] {
  const name = node.rawKeyword.toUpperCase();
  const words = splitWords(node.args, escape);
  if (words.length === 0) throw parseError(node.startLine, `${name} requires at least one argument`);
  if (!words[0].includes('=')) {
    if (words.length < 2) throw parseError(node.startLine, `${name} must have two arguments`);
    const rest = node.args.trim().slice(words[0].length).trim();
    return [{ key: words[0], value: rest }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) throw parseError(node.startLine, `Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    if (eq === 0) throw parseError(node.startLine, `${name} names can not be blank`);
    return { key: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

function exactlyOne(node: Node, escape: string): string {
  const words = splitWords(node.args, escape);
  if (words.length !== 1) throw parseError(node.startLine, `${node.keyword.toUpperCase()} requires exactly one argument`);
  return words[0];
}

function atLeastOne(node: Node): void {
  if (!node.args.trim()) throw parseError(node.startLine, `${node.keyword.toUpperCase()} requires at least one argument`);
}

export function toInstruction(node: Node, escape: string): Located {
  if (!KNOWN.includes(node.keyword)) throw parseError(node.startLine, `unknown instruction: ${node.rawKeyword.toUpperCase()}`);
  const flags = parseFlags(node);
  const kw = node.keyword;
  const located = (i: Instruction): Located => ({ ...i, node });
  switch (kw) {
    case 'from': {
      const words = splitWords(node.args, escape);
      if (words.length !== 1 && !(words.length === 3 && words[1].toLowerCase() === 'as')) throw parseError(node.startLine, 'FROM requires either one or three arguments');
      const stageName = words.length === 3 ? words[2].toLowerCase() : undefined;
      if (stageName !== undefined && !/^[a-z][a-z0-9-_.]*$/.test(stageName)) throw parseError(node.startLine, `invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
      return located({ kind: 'from', image: words[0], stageName, platform: flags.get('platform') });
    }
    case 'run':
      atLeastOne(node);
      if (flags.has('mount') || flags.has('security')) throw parseError(node.startLine, `the --${flags.has('mount') ? 'mount' : 'security'} option requires BuildKit`);
      return located({ kind: 'run', cmd: commandLine(node.args), network: flags.get('network'), heredocs: node.heredocs });
    case 'cmd': case 'entrypoint':
      return located({ kind: kw, cmd: commandLine(node.args) });
    case 'env': case 'label':
      return located({ kind: kw, pairs: nameValues(node, escape) });
    case 'arg': {
      const w = exactlyOne(node, escape);
      const eq = w.indexOf('=');
      return located(eq < 0 ? { kind: 'arg', name: w } : { kind: 'arg', name: w.slice(0, eq), default: w.slice(eq + 1) });
    }
    case 'expose': case 'volume': {
      atLeastOne(node);
      const json = kw === 'volume' ? jsonForm(node.args) : undefined;
      if (json && json.length === 0) throw parseError(node.startLine, 'VOLUME requires at least one argument');
      return located({ kind: kw, words: json ? [] : splitWords(node.args, escape), json });
    }
    case 'copy': case 'add': {
      const json = jsonForm(node.args);
      const words = json ?? splitWords(node.args, escape);
      if (words.length < 2) {
        if (node.heredocs.length && words.length === 1) {
          // `COPY <<EOF /dest`: the heredoc is the source.
        } else throw parseError(node.startLine, `${kw.toUpperCase()} requires at least two arguments, but only one was provided. Destination could not be determined.`);
      }
      if (kw === 'add' && flags.has('checksum')) throw parseError(node.startLine, 'ADD --checksum is not supported');
      return located({
        kind: kw, sources: words.slice(0, -1), dest: words[words.length - 1], from: flags.get('from'), chown: flags.get('chown'),
        chmod: flags.get('chmod'), link: flags.get('link') === 'true', heredocs: node.heredocs, json: !!json,
      });
    }
    case 'workdir': case 'user': case 'stopsignal':
      return located({ kind: kw, value: exactlyOne(node, escape) });
    case 'maintainer':
      atLeastOne(node);
      return located({ kind: 'maintainer', value: node.args.trim() });
    case 'healthcheck': {
      const words = node.args.trim().split(/\s+/).filter(Boolean);
      if (words.length === 0) throw parseError(node.startLine, 'HEALTHCHECK requires at least one argument');
      const type = words[0].toUpperCase();
      if (type === 'NONE') {
        if (words.length > 1) throw parseError(node.startLine, 'HEALTHCHECK NONE takes no arguments');
        return located({ kind: 'healthcheck', health: 'none' });
      }
      if (type !== 'CMD') throw parseError(node.startLine, `Unknown type "${type}" in HEALTHCHECK (try CMD)`);
      const rest = node.args.trim().slice(words[0].length).trim();
      if (!rest) throw parseError(node.startLine, 'Missing command after HEALTHCHECK CMD');
      const exec = jsonForm(rest);
      const test = exec ? ['CMD', ...exec] : ['CMD-SHELL', rest];
      return located({ kind: 'healthcheck', health: { test, interval: flags.get('interval'), timeout: flags.get('timeout'), startPeriod: flags.get('start-period'), retries: flags.get('retries') } });
    }
    case 'shell': {
      const exec = jsonForm(node.args);
      if (!exec) throw parseError(node.startLine, 'SHELL requires the arguments to be in JSON form');
      if (exec.length === 0) throw parseError(node.startLine, 'SHELL requires at least one argument');
      return located({ kind: 'shell', shell: exec });
    }
    case 'onbuild': {
      atLeastOne(node);
      const trigger = node.args.trim().split(/\s+/)[0].toUpperCase();
      if (trigger === 'ONBUILD') throw parseError(node.startLine, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (trigger === 'FROM' || trigger === 'MAINTAINER') throw parseError(node.startLine, `${trigger} isn't allowed as an ONBUILD trigger`);
      if (!KNOWN.includes(trigger.toLowerCase())) throw parseError(node.startLine, `unknown instruction: ${trigger}`);
      return located({ kind: 'onbuild', expression: node.original.replace(/^\s*onbuild\s*/i, '') });
    }
  }
  throw parseError(node.startLine, `unknown instruction: ${node.rawKeyword.toUpperCase()}`);
}

export interface Stage {
  index: number;
  /** Lower-case `AS` name. */
  name?: string;
  from: Located<Extract<Instruction, { kind: 'from' }>>;
  steps: Located[];
}

export interface DockerfilePlan {
  /** ARGs before the first FROM (only usable in FROM lines, and by re-declaring them in a stage). */
  metaArgs: Array<Located<Extract<Instruction, { kind: 'arg' }>>>;
  stages: Stage[];
  escape: string;
}

/** Groups the instructions into stages; anything but ARG before the first FROM is Docker's error. */
export function planStages(nodes: Node[], escape: string): DockerfilePlan {
  const metaArgs: DockerfilePlan['metaArgs'] = [];
  const stages: Stage[] = [];
  for (const node of nodes) {
    const ins = toInstruction(node, escape);
    if (ins.kind === 'from') {
      stages.push({ index: stages.length, name: ins.stageName, from: ins, steps: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) {
      if (ins.kind === 'arg') { metaArgs.push(ins); continue; }
      throw invalidArgument('no build stage in current context');
    }
    stage.steps.push(ins);
  }
  return { metaArgs, stages, escape };
}
