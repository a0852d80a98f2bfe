// One build stage, instruction by instruction, as Docker's classic builder dispatches them: every step is
// probed in the cache first, then done — config-only steps commit an empty layer, COPY/ADD/WORKDIR work in a
// scratch root (no container), RUN runs in a real container through the engine — and each step becomes an
// intermediate image whose `container_config` is the next build's cache key.
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { invalidArgument, isBerthError } from '../errors.js';
import type { ImageService } from '../images/image-service.js';
import type { ImageRecord } from '../model/image.js';
import { expandWord, expandWords, type Env } from './parser/shell-words.js';
import type { Instruction, Located, Stage, CommandLine } from './parser/instructions.js';
import { parseDockerfile } from './parser/nodes.js';
import { toInstruction } from './parser/instructions.js';
import {
  cloneConfig, DEFAULT_PATH, envKey, goList, goQuoteList, healthText, nopCmd, nopCmdString, normalizeConfig, parseGoDuration,
  setEnv, shellOf, type HealthConfig, type RunConfig,
} from './run-config.js';
import { StageArgs } from './build-args.js';
import type { StageEnv } from './stage-env.js';
import { containerLayer } from './container-layer.js';
import { ScratchRoot } from './scratch-root.js';
import { mkdirInRoot } from './copy-files.js';
import { copyStep } from './copy-step.js';

export type { StageEnv } from './stage-env.js';
export class StepFailure extends Error {
  constructor(message: string, readonly code: number) { super(message); }
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

export class StageRun {
  image?: ImageRecord;
  config: RunConfig = normalizeConfig({});
  private readonly stageArgs: StageArgs;
  private cmdSet = false;
  private author?: string;

  constructor(private readonly env: StageEnv, private readonly stage: Stage) {
    this.stageArgs = new StageArgs(env.args);
  }

  private say(text: string): void { if (!this.env.opts.quiet) this.env.out({ stream: text }); }

  private vars(): Env { return this.stageArgs.expansionEnv(this.config); }
  private word(s: string): string { return expandWord(s, this.vars(), this.env.escape); }

  async run(): Promise<ImageRecord | undefined> {
    await this.from();
    for (const ins of [...this.stage.steps, ...this.env.extraSteps]) {
      this.say(`${this.env.stepLabel(ins)} : ${ins.node.original}`);
      this.say('\n');
      await this.dispatch(ins);
    }
    return this.image;
  }

  private async from(): Promise<void> {
    const from = this.stage.from;
    this.say(`${this.env.stepLabel(from)} : ${from.node.original}`);
    this.say('\n');
    const name = expandWord(from.image, this.env.args.metaEnv(), this.env.escape);
    if (!name) throw invalidArgument('base name (' + from.image + ') should not be blank');
    if (from.platform) {
      const p = expandWord(from.platform, this.env.args.metaEnv(), this.env.escape);
      if (p && p !== 'linux/amd64' && p !== 'linux') throw invalidArgument(`failed to resolve platform ${p}: only linux/amd64 images can be built here`);
    }
    if (name.toLowerCase() === 'scratch') {
      this.say(' ---> \n');
      this.config = normalizeConfig({});
      setEnv(this.config, 'PATH', DEFAULT_PATH.slice(5));
      return;
    }
    const fromStage = this.env.stageImage(name, this.stage.index);
    const base = fromStage ? await fromStage : await this.baseImage(name);
    if (!base) throw invalidArgument(`stage ${name} produced no image`);
    this.image = base;
    this.config = normalizeConfig(base.config.config);
    if (!(this.config.Env ?? []).some((e) => envKey(e) === 'PATH')) setEnv(this.config, 'PATH', DEFAULT_PATH.slice(5));
    this.say(` ---> ${short(base.id)}\n`);
    const triggers = this.config.OnBuild ?? [];
    this.config.OnBuild = null;
    if (triggers.length) {
      this.say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      for (const t of triggers) {
        const node = parseDockerfile(t).nodes[0];
        if (!node) continue;
        await this.dispatch(toInstruction(node, this.env.escape));
      }
    }
  }

  /** A FROM image: pulled first with --pull, or when it is not here (as Docker's classic builder does). */
  private async baseImage(name: string): Promise<ImageRecord> {
    const puller = this.env.puller;
    if (puller && !this.env.opts.pull) {
      try { return this.env.leaseImage(name); } catch (err) { if (!isBerthError(err, 'not-found')) throw err; }
    }
    if (puller) {
      const quiet = this.env.opts.quiet;
      await puller.pull(name, this.env.opts.registryAuth, (m) => { if (!quiet) this.env.out(m); });
    }
    return this.resolveImage(name);
  }

  private resolveImage(name: string): ImageRecord {
    try {
      return this.env.leaseImage(name);
    } catch (err) {
      if (!isBerthError(err, 'not-found')) throw err;
      const repo = name.split('@')[0].replace(/:[^/:]+$/, '');
      throw invalidArgument(`pull access denied for ${repo}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`);
    }
  }

  // ---- committing ----

  private async probe(probe: RunConfig): Promise<boolean> {
    const hit = await this.env.cache.probe(this.image, probe);
    if (!hit) return false;
    this.say(' ---> Using cache\n');
    this.image = hit;
    this.say(` ---> ${short(hit.id)}\n`);
    return true;
  }

  private async commit(probe: RunConfig, layer: Readable | undefined, containerId = '', beforeId?: () => void): Promise<void> {
    const parentId = this.image?.id ?? '';
    const config = cloneConfig(this.config);
    config.Image = parentId;
    const rec = await this.env.images.createImage({
      base: this.image, layer, config, history: { created_by: (probe.Cmd ?? []).join(' ') },
      containerConfig: { ...cloneConfig(probe), Hostname: containerId.slice(0, 12), Image: parentId } as RunConfig, container: containerId || undefined,
      author: this.author,
    });
    this.env.cache.add(rec);
    this.image = rec;
    beforeId?.();
    this.say(` ---> ${short(rec.id)}\n`);
  }

  /** A step that only changes the config: probe, else commit an empty layer. */
  private async metaStep(text: string, change: (c: RunConfig) => void): Promise<void> {
    change(this.config);
    const probe = cloneConfig(this.config);
    probe.Cmd = nopCmd(this.config, text);
    if (await this.probe(probe)) return;
    await this.commit(probe, undefined);
  }

  // ---- dispatch ----

  async dispatch(ins: Located): Promise<void> {
    const vars = this.vars();
    const esc = this.env.escape;
    switch (ins.kind) {
      case 'env': {
        const pairs = ins.pairs.map((p) => [expandWord(p.key, vars, esc), expandWord(p.value, vars, esc)] as const);
        await this.metaStep(`ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, (c) => { for (const [k, v] of pairs) setEnv(c, k, v); });
        return;
      }
      case 'label': {
        const pairs = ins.pairs.map((p) => [expandWord(p.key, vars, esc), expandWord(p.value, vars, esc)] as const);
        await this.metaStep(`LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, (c) => { c.Labels = { ...(c.Labels ?? {}) }; for (const [k, v] of pairs) c.Labels[k] = v; });
        return;
      }
      case 'maintainer': {
        this.author = ins.value;
        await this.metaStep(`MAINTAINER ${ins.value}`, () => undefined);
        return;
      }
      case 'arg': {
        const dflt = ins.default === undefined ? undefined : expandWord(ins.default, vars, esc);
        this.stageArgs.declare(ins.name, dflt);
        await this.metaStep(`ARG ${ins.name}${dflt === undefined ? '' : `=${dflt}`}`, () => undefined);
        return;
      }
      case 'expose': {
        const ports = ins.words.flatMap((w) => expandWords(w, vars, esc));
        const keys: string[] = [];
        for (const p of ports) {
          const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
          if (!m) throw invalidArgument(`Invalid containerPort: ${p}`);
          const proto = (m[3] ?? 'tcp').toLowerCase();
          const lo = Number(m[1]); const hi = m[2] ? Number(m[2]) : lo;
          if (hi < lo || hi > 65535) throw invalidArgument(`Invalid range format for --expose: ${p}`);
          for (let n = lo; n <= hi; n++) keys.push(`${n}/${proto}`);
        }
        await this.metaStep(`EXPOSE ${[...ports].sort().join(' ')}`, (c) => { c.ExposedPorts = { ...(c.ExposedPorts ?? {}) }; for (const k of keys) c.ExposedPorts[k] = {}; });
        return;
      }
      case 'volume': {
        const vols = ins.json ? ins.json.map((v) => expandWord(v, vars, esc)) : ins.words.flatMap((w) => expandWords(w, vars, esc));
        for (const v of vols) if (!v.trim()) throw invalidArgument('VOLUME specified can not be an empty string');
        await this.metaStep(`VOLUME ${goList(vols)}`, (c) => { c.Volumes = { ...(c.Volumes ?? {}) }; for (const v of vols) c.Volumes[v] = {}; });
        return;
      }
      case 'user': {
        const u = this.word(ins.value);
        await this.metaStep(`USER ${u}`, (c) => { c.User = u; });
        return;
      }
      case 'stopsignal': {
        const s = this.word(ins.value);
        if (!/^(SIG)?[A-Z0-9+-]+$/i.test(s) || (/^\d+$/.test(s) && (Number(s) < 1 || Number(s) > 64))) throw invalidArgument(`Invalid signal: ${s}`);
        await this.metaStep(`STOPSIGNAL ${s}`, (c) => { c.StopSignal = s; });
        return;
      }
      case 'healthcheck': {
        const h: HealthConfig = ins.health === 'none' ? { Test: ['NONE'] } : { Test: ins.health.test };
        if (ins.health !== 'none') {
          const dur = (v: string | undefined, what: string) => {
            if (v === undefined) return 0;
            const ns = parseGoDuration(v, what);
            if (ns !== 0 && ns < 1e6) throw invalidArgument(`${what} cannot be less than 1ms`);
            return ns;
          };
          const interval = dur(ins.health.interval, 'Interval'); if (interval) h.Interval = interval;
          const timeout = dur(ins.health.timeout, 'Timeout'); if (timeout) h.Timeout = timeout;
          const start = dur(ins.health.startPeriod, 'StartPeriod'); if (start) h.StartPeriod = start;
          if (ins.health.retries !== undefined) {
            const r = Number(ins.health.retries);
            if (!Number.isInteger(r)) throw invalidArgument(`strconv.ParseInt: parsing "${ins.health.retries}": invalid syntax`);
            if (r < 1) throw invalidArgument('--retries must be at least 1');
            h.Retries = r;
          }
        }
        await this.metaStep(`HEALTHCHECK ${healthText(h)}`, (c) => { c.Healthcheck = h; });
        return;
      }
      case 'shell':
        await this.metaStep(`SHELL ${goList(ins.shell)}`, (c) => { c.Shell = [...ins.shell]; });
        return;
      case 'onbuild':
        await this.metaStep(`ONBUILD ${ins.expression}`, (c) => { c.OnBuild = [...(c.OnBuild ?? []), ins.expression]; });
        return;
      case 'cmd': {
        const cmd = this.commandOf(ins.cmd);
        this.cmdSet = true;
        await this.metaStep(`CMD ${goQuoteList(cmd)}`, (c) => { c.Cmd = cmd; });
        return;
      }
      case 'entrypoint': {
        const ep = this.commandOf(ins.cmd);
        await this.metaStep(`ENTRYPOINT ${goQuoteList(ep)}`, (c) => { c.Entrypoint = ep; if (!this.cmdSet) c.Cmd = null; });
        return;
      }
      case 'workdir':
        await this.workdir(this.word(ins.value));
        return;
      case 'run':
        await this.runStep(ins);
        return;
      case 'copy': case 'add':
        await copyStep(this.env, this.stage.index, ins, {
          config: this.config, vars, image: this.image,
          probe: (p) => this.probe(p), commit: (p, layer) => this.commit(p, layer),
        });
        return;
      case 'from':
        throw invalidArgument('FROM inside a stage');
    }
  }

  private commandOf(cl: CommandLine): string[] {
    return 'exec' in cl ? [...cl.exec] : [...shellOf(this.config), cl.shell];
  }

  private async workdir(path: string): Promise<void> {
    const cur = this.config.WorkingDir || '/';
    const abs = path.startsWith('/') ? path : `${cur.replace(/\/+$/, '')}/${path}`;
    const norm = abs.split('/').reduce<string[]>((acc, p) => { if (p === '..') acc.pop(); else if (p && p !== '.') acc.push(p); return acc; }, []);
    this.config.WorkingDir = '/' + norm.join('/');
    const probe = cloneConfig(this.config);
    probe.Cmd = nopCmdString(this.config, `WORKDIR ${this.config.WorkingDir}`);
    if (await this.probe(probe)) return;
    const root = await ScratchRoot.open(this.env.tmpRoot, this.image ? await this.env.images.layerDirs(this.image) : []);
    try {
      await mkdirInRoot(root.merged, this.config.WorkingDir, undefined);
      await this.commit(probe, await root.finish());
    } finally {
      await root.close();
    }
  }

  private async runStep(ins: Extract<Instruction, { kind: 'run' }> & Located): Promise<void> {
    let cmdLine = ins.cmd;
    if ('shell' in cmdLine && ins.heredocs.length) {
      const only = /^<<-?\s*["']?[a-zA-Z_][a-zA-Z0-9_]*["']?\s*$/.test(cmdLine.shell);
      cmdLine = only ? { shell: ins.heredocs[0].content } : { shell: `${cmdLine.shell}\n${ins.heredocs.map((h) => `${h.content}${h.name}`).join('\n')}\n` };
    }
    const cmd = this.commandOf(cmdLine);
    const effective = this.stageArgs.effective(this.config);
    const inHistory = effective.filter((a) => a.inHistory).map((a) => a.kv).sort();
    const saveCmd = inHistory.length ? [`|${inHistory.length}`, ...inHistory, ...cmd] : cmd;
    const probe = cloneConfig(this.config);
    probe.Cmd = saveCmd;
    probe.Entrypoint = null;
    if (await this.probe(probe)) return;
    if (!this.image) throw new StepFailure(`The command '${cmd.join(' ')}' returned a non-zero code: 127 (FROM scratch has no ${cmd[0]} to run)`, 127);
    let network = ins.network ?? this.env.opts.networkMode;
    if (network === 'default') network = this.env.opts.networkMode;
    const runConfig = cloneConfig(this.config);
    runConfig.Cmd = cmd;
    runConfig.Entrypoint = [''];
    runConfig.Env = [...(this.config.Env ?? []), ...effective.map((a) => a.kv)];
    delete runConfig.Healthcheck;
    const id = await this.env.containers.create({ image: this.image.id, config: runConfig, networkMode: network, extraHosts: this.env.opts.extraHosts });
    let ok = false;
    try {
      this.say(` ---> Running in ${id.slice(0, 12)}\n`);
      const decoders = { 1: new StringDecoder('utf8'), 2: new StringDecoder('utf8') };
      const code = await this.env.containers.run(id, (stream, data) => {
        const text = decoders[stream].write(data);
        if (!text) return;
        this.say(stream === 2 ? `\u001b[91m${text}\u001b[0m` : text);
      });
      if (code !== 0) throw new StepFailure(`The command '${cmd.join(' ')}' returned a non-zero code: ${code}`, code);
      const diff = this.env.containers.diff(id);
      const layer = await containerLayer(diff.upper, diff.lowers);
      const removes = this.env.opts.rm || this.env.opts.forceRm;
      await this.commit(probe, layer, id, () => { if (removes) this.say(`Removing intermediate container ${id.slice(0, 12)}\n`); });
      ok = true;
    } finally {
      this.env.track(id, ok);
    }
  }
}
