// What every `berth compose` subcommand gets: the CLI context, the compose API over the client, the
// project (loaded lazily, so `ls` and `--help` never read files) and a progress printer on stderr.
import type { CliContext } from '../../command.js';
import type { FlagSpec, ParsedFlags } from '../../flags.js';
import { ComposeApi } from '../../../compose/engine/api.js';
import { Progress } from '../../../compose/engine/progress.js';
import { loadProject } from '../../../compose/loader/project.js';
import { ComposeError } from '../../../compose/errors.js';
import type { Project } from '../../../compose/model/types.js';

export interface ComposeGlobals {
  files: string[];
  projectName?: string;
  projectDirectory?: string;
  envFiles: string[];
  profiles: string[];
  ansi: 'auto' | 'never' | 'always';
  progress?: string;
}

export class ComposeContext {
  private loaded?: Project;
  /** True when no compose file was found and the project is known only by name (its labels). */
  fromLabels = false;
  private apiInstance?: ComposeApi;
  readonly progress: Progress;

  constructor(readonly cli: CliContext, readonly globals: ComposeGlobals) {
    this.progress = new Progress(cli.stderr, globals.progress === 'quiet');
  }

  get api(): ComposeApi { return (this.apiInstance ??= new ComposeApi(this.cli.client())); }

  /** Services named on the command line are enabled even when their profile is not active. */
  project(enable: string[] = []): Project {
    if (!this.loaded) {
      try {
        this.loaded = loadProject({
          files: this.globals.files, projectName: this.globals.projectName, projectDirectory: this.globals.projectDirectory,
          envFiles: this.globals.envFiles, profiles: this.globals.profiles, env: this.cli.env, cwd: process.cwd(),
        });
      } catch (err) {
        // `-p NAME` with no compose file around: work from the labels, as docker compose does.
        const name = this.globals.projectName ?? this.cli.env.COMPOSE_PROJECT_NAME;
        if (!(err instanceof ComposeError && err.kind === 'no-config-file') || !name) throw err;
        this.fromLabels = true;
        this.loaded = { name, workingDir: process.cwd(), composeFiles: [], services: {}, disabledServices: {}, networks: {}, volumes: {}, secrets: {}, configs: {}, environment: {} };
      }
    }
    for (const n of enable) {
      const svc = this.loaded.disabledServices[n];
      if (svc) { this.loaded.services[n] = svc; delete this.loaded.disabledServices[n]; }
    }
    return this.loaded;
  }

  /** The project name without requiring a compose file when -p or COMPOSE_PROJECT_NAME gives it. */
  projectName(): string {
    return this.globals.projectName ?? this.project().name;
  }

  colour(): boolean {
    if (this.globals.ansi === 'never' || this.cli.env.NO_COLOR) return false;
    return this.globals.ansi === 'always' || !!this.cli.stdout.isTTY;
  }
}

export interface ComposeVerb {
  usage: string;
  summary: string;
  flags: FlagSpec[];
  interspersed?: boolean;
  args?: { min?: number; max?: number };
  run(cc: ComposeContext, flags: ParsedFlags): Promise<number>;
}
