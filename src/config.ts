/**
 * Config: every configuration parameter, its type, default and current value. One table serves
 * the config file, redis-server-style `--name value` arguments, CONFIG GET/SET/REWRITE and the
 * server's own reads. Mirrors redis config.c (standardConfig table, typed setters, the
 * "FATAL CONFIG FILE ERROR" report).
 *
 * Values are kept in their canonical string form (what CONFIG GET answers: memory sizes in bytes,
 * booleans as yes/no); typed getters parse them. A parameter that Kioku accepts but does not act
 * on yet has `acted: false`: loading it logs a warning naming it, so nothing is silently ignored.
 */
import { ConfigError, PARAMETERS, type ParamDef } from './config-params.js';

export { ConfigError, parseMemory } from './config-params.js';
import { globMatch } from './keyspace/glob.js';

export type ChangeListener = (name: string, value: string) => void;

export class Config {
  private readonly values = new Map<string, string>();
  private readonly listeners: ChangeListener[] = [];
  /** Parameters set from a file or the command line, for CONFIG REWRITE and start-up warnings. */
  readonly explicitlySet = new Set<string>();
  /** The config file loaded at start ('' when none): CONFIG REWRITE writes back to it. */
  configFile = '';

  constructor() {
    for (const p of PARAMETERS) this.values.set(p.name, p.default);
  }

  /** The definition for a name or alias (case-insensitive). */
  static find(name: string): ParamDef | undefined {
    return BY_NAME.get(name.toLowerCase());
  }

  /** Canonical value (CONFIG GET); throws for an unknown name. */
  get(name: string): string {
    const def = Config.find(name);
    if (!def) throw new Error(`unknown config parameter ${name}`);
    return this.values.get(def.name)!;
  }

  getInt(name: string): number {
    return Number(this.get(name));
  }

  getBool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /**
   * Sets a parameter from its textual form (the args after the name, joined as Redis does).
   * Throws ConfigError with Redis's reason text when the value is invalid.
   */
  set(name: string, args: string[], opts: { startup?: boolean } = {}): ParamDef {
    const def = Config.find(name);
    if (!def) throw new ConfigError('Bad directive or wrong number of arguments');
    if (def.immutable && !opts.startup) throw new ConfigError("can't set immutable config");
    const canonical = def.parse(args);
    this.values.set(def.name, canonical);
    if (opts.startup) this.explicitlySet.add(def.name);
    for (const l of this.listeners) l(def.name, canonical);
    return def;
  }

  /** Calls fn whenever a parameter changes (the server applies live changes this way). */
  onChange(fn: ChangeListener): void {
    this.listeners.push(fn);
  }

  /** CONFIG GET pattern: [name, value] pairs for every parameter or alias matching the glob. */
  match(pattern: string): [string, string][] {
    const out: [string, string][] = [];
    for (const p of PARAMETERS) {
      for (const n of [p.name, ...(p.aliases ?? [])]) {
        if (globMatch(pattern, n, true)) out.push([n, this.values.get(p.name)!]);
      }
    }
    return out;
  }

  /** The value of every parameter, for CONFIG REWRITE. */
  entries(): [ParamDef, string][] {
    return PARAMETERS.map((p) => [p, this.values.get(p.name)!]);
  }
}

const BY_NAME = new Map<string, ParamDef>();
for (const p of PARAMETERS) {
  BY_NAME.set(p.name, p);
  for (const a of p.aliases ?? []) BY_NAME.set(a, p);
}
