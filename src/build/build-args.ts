// Build arguments as the classic builder scopes them: `--build-arg` values, ARGs before the first FROM
// (for FROM lines, and for a stage that re-declares them), the ARGs a stage declares, and Docker's
// predefined ones — the proxy variables (usable undeclared, kept out of history and cache keys) and the
// platform ones (TARGETPLATFORM, BUILDARCH, ...), which take their value when a stage declares them.
import type { RunConfig } from './run-config.js';
import { envKey } from './run-config.js';

const PROXIES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

export function platformArgs(platform = 'linux/amd64'): Map<string, string> {
  const [os, arch, variant = ''] = platform.split('/');
  const m = new Map<string, string>();
  for (const p of ['TARGET', 'BUILD']) {
    m.set(`${p}PLATFORM`, platform);
    m.set(`${p}OS`, os);
    m.set(`${p}ARCH`, arch);
    m.set(`${p}VARIANT`, variant);
  }
  return m;
}

export class GlobalArgs {
  /** ARGs before the first FROM, with their values. */
  readonly meta = new Map<string, string | undefined>();
  readonly consumed = new Set<string>();
  readonly platform: Map<string, string>;

  constructor(readonly options: Record<string, string | null>, platform?: string) {
    this.platform = platformArgs(platform);
  }

  option(name: string): string | undefined {
    const v = this.options[name];
    return v === null || v === undefined ? undefined : v;
  }

  /** Env for expanding FROM lines and meta ARG defaults. */
  metaEnv(): Map<string, string> {
    const m = new Map(this.platform);
    for (const [k, v] of this.meta) if (v !== undefined) m.set(k, v);
    return m;
  }

  declareMeta(name: string, dflt: string | undefined): void {
    if (name in this.options) this.consumed.add(name);
    this.meta.set(name, this.option(name) ?? dflt);
  }

  /** `--build-arg`s that no ARG declared (Docker warns about them at the end). */
  unconsumed(): string[] {
    return Object.keys(this.options).filter((k) => !this.consumed.has(k) && !PROXIES.includes(k)).sort();
  }
}

export class StageArgs {
  /** Declared in this stage (in order) → value (undefined: declared without a value). */
  readonly declared = new Map<string, string | undefined>();

  constructor(private readonly global: GlobalArgs) {}

  declare(name: string, dflt: string | undefined): string | undefined {
    if (name in this.global.options) this.global.consumed.add(name);
    const value = this.global.option(name) ?? dflt ?? (this.global.meta.has(name) ? this.global.meta.get(name) : undefined) ?? this.global.platform.get(name);
    this.declared.set(name, value);
    return value;
  }

  /** Args with a value that an ENV of the same name does not shadow, as `k=v` (Docker's FilterAllowed). */
  effective(config: RunConfig): Array<{ kv: string; inHistory: boolean }> {
    const envKeys = new Set((config.Env ?? []).map(envKey));
    const out: Array<{ kv: string; inHistory: boolean }> = [];
    const seen = new Set<string>();
    for (const [k, v] of this.declared) {
      if (v === undefined || envKeys.has(k)) continue;
      out.push({ kv: `${k}=${v}`, inHistory: true });
      seen.add(k);
    }
    for (const k of PROXIES) {
      const v = this.global.option(k);
      if (v !== undefined && !seen.has(k) && !envKeys.has(k)) out.push({ kv: `${k}=${v}`, inHistory: false });
    }
    return out;
  }

  /** Variables for expanding words in this stage: ENV first, then the args. */
  expansionEnv(config: RunConfig): Map<string, string> {
    const m = new Map<string, string>();
    for (const { kv } of this.effective(config)) { const i = kv.indexOf('='); m.set(kv.slice(0, i), kv.slice(i + 1)); }
    for (const kv of config.Env ?? []) { const i = kv.indexOf('='); if (i > 0) m.set(kv.slice(0, i), kv.slice(i + 1)); }
    return m;
  }
}
