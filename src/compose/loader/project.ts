// The loader's stages, in compose-go's order: find the files -> read the environment (.env, --env-file,
// the OS environment wins) -> per file: YAML -> interpolate -> validate -> canonical form (paths made
// absolute) -> `include` -> merge the files in order -> `extends` -> project name -> typed model ->
// profiles.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ComposeError, invalidArgument, invalidFile } from '../errors.js';
import { toFileObjects, toNetworks, toVolumes } from '../model/resources.js';
import { toServiceConfig } from '../model/service.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { canonicalFile } from './canonical.js';
import { readDotenvFile } from './dotenv.js';
import { resolveExtends } from './extends.js';
import { interpolateTree, type Lookup } from './interpolate.js';
import { mergeFiles } from './merge.js';
import { toList } from './syntax.js';
import { validateComposeDict } from './validate.js';
import { isDict, readComposeFile, type Dict } from './yaml-file.js';

export interface LoadOptions {
  files?: string[];
  projectName?: string;
  projectDirectory?: string;
  envFiles?: string[];
  profiles?: string[];
  /** The OS environment (process.env in the CLI). */
  env: Record<string, string | undefined>;
  cwd: string;
}

const DEFAULT_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const OVERRIDE_NAMES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yaml', 'docker-compose.override.yml'];

/** Looks in the directory and its parents, as docker compose does. */
function findDefaultFiles(cwd: string): string[] {
  let dir = resolve(cwd);
  for (let i = 0; i < 64; i++) {
    const main = DEFAULT_NAMES.map((n) => join(dir, n)).find(existsSync);
    if (main) {
      const override = OVERRIDE_NAMES.map((n) => join(dir, n)).find(existsSync);
      return override ? [main, override] : [main];
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new ComposeError('no-config-file', 'no configuration file provided: not found', 14);
}

/** Docker Compose's rule: lowercase letters, digits, dashes and underscores, starting with a letter or digit. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
}

function checkProjectName(name: string, from: string): string {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) {
    throw invalidArgument(`${from}: "${name}" is not a valid project name: it must contain only lowercase letters, decimal digits, dashes, and underscores, and must begin with a lowercase letter or decimal digit`);
  }
  return name;
}

interface LoadedFile { file: string; dict: Dict }

/** Parses, interpolates, validates and canonicalizes one file, then pulls in its `include`s. */
function loadFile(file: string, base: string, lookup: Lookup, seen: string[]): LoadedFile {
  if (seen.includes(file)) throw invalidFile(`include cycle detected: ${[...seen, file].join(' -> ')}`);
  const raw = interpolateTree(readComposeFile(file), lookup) as Dict;
  validateComposeDict(raw, file);
  let dict = canonicalFile(raw, base);
  if (Array.isArray(raw.include)) {
    for (const inc of raw.include as unknown[]) dict = applyInclude(dict, inc, base, lookup, [...seen, file]);
    delete dict.include;
  }
  return { file, dict };
}

function applyInclude(parent: Dict, inc: unknown, base: string, parentLookup: Lookup, seen: string[]): Dict {
  const spec = typeof inc === 'string' ? { path: inc } : (inc as Dict);
  const paths = toList(spec.path).map((p) => resolve(base, p));
  const dir = typeof spec.project_directory === 'string' ? resolve(base, spec.project_directory) : dirname(paths[0]);
  let lookup = parentLookup;
  const envFiles = spec.env_file !== undefined ? toList(spec.env_file).map((p) => resolve(base, p)) : [join(dir, '.env')].filter(existsSync);
  if (envFiles.length) {
    const env: Record<string, string> = {};
    for (const f of envFiles) Object.assign(env, readDotenvFile(f, parentLookup));
    lookup = (n) => parentLookup(n) ?? env[n];
  }
  const included = mergeFiles(paths.map((p) => loadFile(p, dir, lookup, seen).dict));
  if (isDict(included.services)) included.services = resolveExtends(included.services, paths[0], lookup);
  const out: Dict = { ...parent };
  for (const section of ['services', 'networks', 'volumes', 'secrets', 'configs']) {
    const mine = (parent[section] ?? {}) as Dict;
    const theirs = (included[section] ?? {}) as Dict;
    for (const k of Object.keys(theirs)) {
      if (k in mine && JSON.stringify(mine[k]) !== JSON.stringify(theirs[k])) throw invalidFile(`imported compose file ${paths[0]} defines conflicting ${section}.${k}`);
    }
    if (Object.keys(theirs).length) out[section] = { ...theirs, ...mine };
  }
  return out;
}

function profileEnabled(svc: ServiceConfig, active: string[]): boolean {
  return svc.profiles.length === 0 || active.includes('*') || svc.profiles.some((p) => active.includes(p));
}

export function loadProject(opts: LoadOptions): Project {
  const envFileList = opts.envFiles?.length ? opts.envFiles : undefined;
  const composeFileEnv = opts.env.COMPOSE_FILE ? opts.env.COMPOSE_FILE.split(opts.env.COMPOSE_PATH_SEPARATOR ?? ':') : undefined;
  const files = (opts.files?.length ? opts.files : composeFileEnv ?? findDefaultFiles(opts.cwd)).map((f) => resolve(opts.cwd, f));
  const projectDir = opts.projectDirectory ? resolve(opts.cwd, opts.projectDirectory) : dirname(files[0]);

  // The OS environment wins over .env, as in docker compose.
  const osLookup: Lookup = (n) => opts.env[n];
  const dotenv: Record<string, string> = {};
  const envFiles = envFileList?.map((f) => resolve(opts.cwd, f)) ?? [join(projectDir, '.env')].filter(existsSync);
  for (const f of envFiles) Object.assign(dotenv, readDotenvFile(f, (n) => opts.env[n] ?? dotenv[n]));
  const environment: Record<string, string> = { ...dotenv };
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) environment[k] = v;
  const lookup: Lookup = (n) => osLookup(n) ?? dotenv[n];

  const loaded = files.map((f) => loadFile(f, projectDir, lookup, []));
  const merged = mergeFiles(loaded.map((l) => l.dict));
  const services = isDict(merged.services) ? resolveExtends(merged.services, files[0], lookup) : {};

  const rawName = opts.projectName ?? environment.COMPOSE_PROJECT_NAME ?? (typeof merged.name === 'string' ? merged.name : undefined);
  const name = rawName !== undefined
    ? checkProjectName(rawName, opts.projectName !== undefined ? 'project name' : 'COMPOSE_PROJECT_NAME / name')
    : normalizeProjectName(basename(projectDir));
  if (!name) throw invalidArgument(`project name must not be empty: use -p or name:`);

  const active = opts.profiles?.length ? opts.profiles : toList(environment.COMPOSE_PROFILES?.split(',').filter(Boolean));
  const enabled: Record<string, ServiceConfig> = {};
  const disabled: Record<string, ServiceConfig> = {};
  for (const [svcName, svc] of Object.entries(services)) {
    const cfg = toServiceConfig(svcName, (svc ?? {}) as Dict, lookup);
    (profileEnabled(cfg, active) ? enabled : disabled)[svcName] = cfg;
  }
  const project: Project = {
    name, workingDir: projectDir, composeFiles: files,
    services: enabled, disabledServices: disabled,
    networks: toNetworks(merged.networks, name), volumes: toVolumes(merged.volumes, name),
    secrets: toFileObjects(merged.secrets, name, 'secrets', environment), configs: toFileObjects(merged.configs, name, 'configs', environment),
    environment,
  };
  checkReferences(project);
  return project;
}

/** Every network, volume, secret, config and dependency a service names must exist. */
function checkReferences(p: Project): void {
  for (const svc of Object.values(p.services)) {
    for (const n of Object.keys(svc.networks)) if (!p.networks[n]) throw invalidFile(`service "${svc.name}" refers to undefined network ${n}: invalid compose project`);
    for (const v of svc.volumes) {
      if (v.type === 'volume' && v.source && !p.volumes[v.source]) throw invalidFile(`service "${svc.name}" refers to undefined volume ${v.source}: invalid compose project`);
    }
    for (const s of svc.secrets) if (!p.secrets[s.source]) throw invalidFile(`service "${svc.name}" refers to undefined secret ${s.source}: invalid compose project`);
    for (const c of svc.configs) if (!p.configs[c.source]) throw invalidFile(`service "${svc.name}" refers to undefined config ${c.source}: invalid compose project`);
    for (const [dep, d] of Object.entries(svc.depends_on)) {
      if (!p.services[dep] && d.required) {
        if (p.disabledServices[dep]) throw invalidFile(`service "${svc.name}" depends on undefined service "${dep}": invalid compose project (it is in an inactive profile)`);
        throw invalidFile(`service "${svc.name}" depends on undefined service "${dep}": invalid compose project`);
      }
    }
  }
}
