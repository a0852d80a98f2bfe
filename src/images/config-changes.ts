// `docker import --change` / `docker commit --change`: the Dockerfile instructions that only touch the
// image config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL, ONBUILD).
import { invalidArgument } from '../errors.js';
import type { ImageRunConfig } from '../model/image.js';

const ALLOWED = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'USER', 'WORKDIR', 'VOLUME', 'STOPSIGNAL', 'ONBUILD'];

/** A JSON string array (exec form), or undefined when `s` is not one. */
function jsonArray(s: string): string[] | undefined {
  if (!s.trim().startsWith('[')) return undefined;
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch { return undefined; }
}

/** Splits `a=1 b="two words" c=x\ y` into [key, value] pairs. */
export function keyValuePairs(s: string, what: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const words: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") { quote = ch; inWord = true; }
    else if (ch === '\\' && i + 1 < s.length) { cur += s[++i]; inWord = true; }
    else if (/\s/.test(ch)) { if (inWord) { words.push(cur); cur = ''; inWord = false; } }
    else { cur += ch; inWord = true; }
  }
  if (quote) throw invalidArgument(`${what}: unterminated quote`);
  if (inWord) words.push(cur);
  if (words.length && !words[0].includes('=')) {
    // Legacy `ENV key value with spaces`.
    const rest = s.trim().slice(s.trim().split(/\s+/)[0].length).trim();
    if (!rest) throw invalidArgument(`${what} requires at least one argument`);
    return [[words[0], rest]];
  }
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw invalidArgument(`${what}: invalid key=value pair "${w}"`);
    out.push([w.slice(0, eq), w.slice(eq + 1)]);
  }
  return out;
}

/** Applies each change line to a copy of `base`. */
export function applyChanges(base: ImageRunConfig, changes: string[]): ImageRunConfig {
  const cfg: ImageRunConfig = { ...base };
  for (const raw of changes) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line);
    if (!m) continue;
    const instr = m[1].toUpperCase();
    const arg = m[2].trim();
    if (!ALLOWED.includes(instr)) throw invalidArgument(`${m[1].toLowerCase()} is not a valid change command`);
    switch (instr) {
      case 'CMD': cfg.Cmd = jsonArray(arg) ?? ['/bin/sh', '-c', arg]; break;
      case 'ENTRYPOINT': cfg.Entrypoint = jsonArray(arg) ?? ['/bin/sh', '-c', arg]; break;
      case 'ENV': {
        const env = [...(cfg.Env ?? [])];
        for (const [k, v] of keyValuePairs(arg, 'ENV')) {
          const i = env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`; else env.push(`${k}=${v}`);
        }
        cfg.Env = env;
        break;
      }
      case 'LABEL': {
        const labels = { ...(cfg.Labels ?? {}) };
        for (const [k, v] of keyValuePairs(arg, 'LABEL')) labels[k] = v;
        cfg.Labels = labels;
        break;
      }
      case 'EXPOSE': {
        const ports = { ...(cfg.ExposedPorts ?? {}) };
        for (const p of arg.split(/\s+/).filter(Boolean)) {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw invalidArgument(`invalid containerPort: ${p}`);
          ports[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
        }
        cfg.ExposedPorts = ports;
        break;
      }
      case 'VOLUME': {
        const vols = { ...(cfg.Volumes ?? {}) };
        for (const v of jsonArray(arg) ?? arg.split(/\s+/).filter(Boolean)) vols[v] = {};
        cfg.Volumes = vols;
        break;
      }
      case 'USER': cfg.User = arg; break;
      case 'WORKDIR': cfg.WorkingDir = arg.startsWith('/') ? arg : `${cfg.WorkingDir ?? '/'}${(cfg.WorkingDir ?? '/').endsWith('/') ? '' : '/'}${arg}`; break;
      case 'STOPSIGNAL': cfg.StopSignal = arg; break;
      case 'ONBUILD': cfg.OnBuild = [...(cfg.OnBuild ?? []), arg]; break;
    }
  }
  return cfg;
}
