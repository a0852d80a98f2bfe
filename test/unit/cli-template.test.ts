import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template, printValue } from '../../src/cli/format/template.js';
import { compileTemplate, renderList, resolveFormat } from '../../src/cli/format/formatter.js';

const run = (src: string, data: unknown) => new Template(src).execute(data);

const inspect = {
  Id: 'abc', Name: '/web',
  State: { Status: 'running', Running: true, ExitCode: 0 },
  Config: { Labels: { 'com.example': 'yes', a: '1' }, Env: ['A=1', 'B=2'], Cmd: ['sh', '-c', 'x && y'] },
};

test('fields, nested fields and missing values', () => {
  assert.equal(run('{{.State.Status}}', inspect), 'running');
  assert.equal(run('{{.Name}} {{.State.ExitCode}} {{.State.Running}}', inspect), '/web 0 true');
  assert.equal(run('{{.Nope}}', inspect), '<no value>');
  assert.equal(run('{{.Config.Env}}', inspect), '[A=1 B=2]');
  assert.equal(run('{{.Config.Labels}}', inspect), 'map[a:1 com.example:yes]');
});

test('json, index, join, lower/upper, title, len, pad, truncate, println', () => {
  assert.equal(run('{{json .Config.Cmd}}', inspect), '["sh","-c","x && y"]');
  assert.equal(run('{{json .State}}', inspect), '{"Status":"running","Running":true,"ExitCode":0}');
  assert.equal(run('{{index .Config.Labels "com.example"}}', inspect), 'yes');
  assert.equal(run('{{index .Config.Labels "missing"}}', inspect), '');
  assert.equal(run('{{index .Config.Env 1}}', inspect), 'B=2');
  assert.equal(run('{{join .Config.Env ","}}', inspect), 'A=1,B=2');
  assert.equal(run('{{upper .State.Status}} {{lower "ABC"}} {{title "hello world"}}', inspect), 'RUNNING abc Hello World');
  assert.equal(run('{{len .Config.Env}}', inspect), '2');
  assert.equal(run('[{{pad "x" 1 2}}] {{truncate "abcdef" 3}}', {}), '[ x  ] abc');
  assert.equal(run('{{println "a" "b"}}', {}), 'a b\n');
  assert.equal(run('{{.State.Status | upper}}', inspect), 'RUNNING');
  assert.equal(run('{{split "a,b" ","}}', {}), '[a b]');
  assert.equal(run('{{printf "%s-%d" .Name 7}}', inspect), '/web-7');
});

test('range over arrays and maps, with variables and else', () => {
  assert.equal(run('{{range .Config.Env}}[{{.}}]{{end}}', inspect), '[A=1][B=2]');
  assert.equal(run('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}', inspect), 'a=1;com.example=yes;');
  assert.equal(run('{{range $i, $e := .Config.Env}}{{$i}}:{{$e}} {{end}}', inspect), '0:A=1 1:B=2 ');
  assert.equal(run('{{range .None}}x{{else}}empty{{end}}', inspect), 'empty');
  assert.equal(run('{{range .Config.Env}}{{$.Name}}{{end}}', inspect), '/web/web');
});

test('if / else if / else, with, comparisons, trim markers', () => {
  assert.equal(run('{{if .State.Running}}up{{else}}down{{end}}', inspect), 'up');
  assert.equal(run('{{if eq .State.Status "exited"}}e{{else if eq .State.Status "running"}}r{{else}}?{{end}}', inspect), 'r');
  assert.equal(run('{{with .State}}{{.Status}}{{end}}', inspect), 'running');
  assert.equal(run('{{if and .State.Running (eq .State.ExitCode 0)}}ok{{end}}', inspect), 'ok');
  assert.equal(run('a  {{- "b" -}}  c', {}), 'abc');
  assert.equal(run('{{/* comment */}}x', {}), 'x');
  assert.equal(run('{{(index .Config.Env 0)}}', inspect), 'A=1');
});

test('methods with arguments (ps .Label)', () => {
  const ctx = { Names: 'web', Label: (k: unknown) => ({ app: 'x' } as Record<string, string>)[String(k)] ?? '' };
  assert.equal(run('{{.Names}} {{.Label "app"}} [{{.Label "no"}}]', ctx), 'web x []');
});

test('parse errors name the problem', () => {
  assert.throws(() => compileTemplate('{{nosuchfn .X}}'), /template parsing error: .*function "nosuchfn" not defined/);
  assert.throws(() => compileTemplate('{{if .X}}unclosed'), /template parsing error/);
  assert.throws(() => compileTemplate('{{.X'), /template parsing error/);
});

test('printValue follows Go %v', () => {
  assert.equal(printValue(null), '<nil>');
  assert.equal(printValue([1, 'a']), '[1 a]');
  assert.equal(printValue({ b: 1, a: [2] }), 'map[a:[2] b:1]');
});

test('format resolution: table, table TEMPLATE, json, escapes, quiet', () => {
  const spec = { defaultTable: 'table {{.A}}\t{{.B}}', quiet: '{{.A}}', headers: { A: 'COL A', B: 'COL B' } };
  assert.deepEqual(resolveFormat(undefined, spec), { table: true, template: '{{.A}}\t{{.B}}' });
  assert.deepEqual(resolveFormat('', spec, true), { table: false, template: '{{.A}}' });
  assert.deepEqual(resolveFormat('table {{.B}}\\t{{.A}}', spec), { table: true, template: '{{.B}}\t{{.A}}' });
  assert.deepEqual(resolveFormat('json', spec), { table: false, template: '{{json .}}' });
  const rows = [{ A: 'x', B: 'longer value' }, { A: 'yyyyyyyyyyyy', B: 'z' }];
  assert.equal(renderList(rows, resolveFormat(undefined, spec), spec.headers),
    'COL A          COL B\nx              longer value\nyyyyyyyyyyyy   z\n');
  assert.equal(renderList(rows, resolveFormat('{{.A}}', spec), spec.headers), 'x\nyyyyyyyyyyyy\n');
});

test('errors are worded and positioned as Go reports them', () => {
  const strict = { strictKeys: true };
  assert.throws(() => new Template('{{.Nope}}', strict).execute({ Id: 'x' }), { message: 'template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"' });
  assert.throws(() => new Template('{{.State.Nope.X}}', strict).execute({ State: { Status: 'up' } }), { message: 'template: :1:8: executing "" at <.State.Nope.X>: map has no entry for key "Nope"' });
  assert.equal(new Template('{{.Config.Labels.k}}', strict).execute({ Config: { Labels: { app: 'x' } } }), '<no value>');
  class Ctx { get Names() { return 'n'; } Label(k: unknown) { return String(k); } }
  assert.throws(() => new Template('{{.Nope}}', { typeName: '*formatter.ContainerContext' }).execute(new Ctx()), { message: 'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext' });
  assert.throws(() => new Template('{{.Label}}').execute(new Ctx()), { message: 'template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0' });
  assert.throws(() => new Template('{{.Nope}}', { strictKeys: true, typeName: 'system.versionInfo', name: 'version' }).execute({ Client: {} }), { message: 'template: version:1:2: executing "version" at <.Nope>: can\'t evaluate field Nope in type system.versionInfo' });
});

test('nulls print as Go prints typed nils when told the field kinds', () => {
  const t = new Template('{{.Entrypoint}}|{{.Labels}}|{{.Health}}|{{json .Entrypoint}}', { nullText: (f) => (f === 'Labels' ? 'map[]' : f === 'Health' ? '<nil>' : '[]') });
  assert.equal(t.execute({ Entrypoint: null, Labels: null, Health: null }), '[]|map[]|<nil>|null');
});
