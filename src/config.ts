/**
 * Config: the current value of every configuration parameter. One table (config-params.ts) serves
 * the config file and redis-server-style `--name value` arguments (config-file.ts), CONFIG
 * GET/SET/REWRITE (commands/config-commands.ts) and the server's own reads. Mirrors redis
 * config.c: lookupConfig, configGetCommand's matching, configSetCommand's all-or-nothing update.
 *
 * Values are kept in their canonical text form (what CONFIG GET answers: memory sizes in bytes,
 * booleans yes/no); the typed getters parse them. The server applies changes through onChange
 * listeners. A parameter Kioku accepts but does not act on yet has `acted: false`: start-up names
 * every such parameter set to a non-default value in one warning, so nothing is silently ignored.
 */
import { ConfigError, PARAMETERS, type ParamDef } from './config-params.js';
import { globMatch } from './keyspace/glob.js';

export { ConfigError, parseMemory } from './config-params.js';
export type { ParamDef } from './config-params.js';

export type ChangeListener = (name: string, value: string) => void;

/**
 * A CONFIG SET refusal: the argument as the client spelled it, and Redis's reason text;
 * `unknown` when no parameter has that name.
 */
export class ConfigSetError extends Error {
  constructor(
    readonly argument: string,
    reason: string,
    readonly unknown = false,
  ) {
    super(reason);
  }
}

export class Config {
  private readonly values = new Map<string, string>();
  private readonly listeners: ChangeListener[] = [];
  /** Parameters set from a file or the command line (start-up warnings, protected-mode rules). */
  readonly explicitlySet = new Set<string>();
  /** Directives that are not parameters (rename-command, user...) met in the config, in order. */
  readonly fileOnlyDirectives: string[] = [];
  /** Absolute path of the config file loaded at start ('' when none): CONFIG REWRITE writes it. */
  configFile = '';

  constructor() {
    for (const p of PARAMETERS) this.values.set(p.name, p.default);
    // Redis shows getcwd() as dir: the server starts in the directory it was launched from.
    this.values.set('dir', process.cwd());
  }

  /** The definition for a name or alias (case-insensitive). */
  static find(name: string): ParamDef | undefined {
    return BY_NAME.get(name.toLowerCase());
  }

  /** Every parameter definition, in table order. */
  static all(): readonly ParamDef[] {
    return PARAMETERS;
  }

  /** Canonical value (CONFIG GET); throws for an unknown name (a bug in the caller). */
  get(name: string): string {
    const def = Config.find(name);
    if (!def) throw new Error(`unknown config parameter ${name}`);
    return this.values.get(def.name)!;
  }

  /** A numeric parameter as a number (values beyond 2^53 lose precision, as doubles do). */
  getInt(name: string): number {
    return Number(this.get(name));
  }

  getBool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /**
   * Sets one parameter from a directive's arguments. `startup` allows immutable parameters and
   * records the name as explicitly set. Throws ConfigError with Redis's reason text.
   */
  set(name: string, args: string[], opts: { startup?: boolean } = {}): ParamDef {
    const def = Config.find(name);
    if (!def) throw new ConfigError('Bad directive or wrong number of arguments');
    if (def.immutable && !opts.startup) throw new ConfigError("can't set immutable config");
    const canonical = def.parse(args, this.values.get(def.name)!);
    this.values.set(def.name, canonical);
    if (opts.startup) this.explicitlySet.add(def.name);
    this.notify(def.name, canonical);
    return def;
  }

  /**
   * CONFIG SET name value [name value ...]: all or nothing. Every pair is checked (known,
   * mutable, not protected, not repeated) and parsed before any value changes; then all are
   * stored and the listeners run (they apply values and must not fail: a port that cannot be
   * bound is handled by the server asynchronously). Throws ConfigSetError naming the argument
   * as given.
   */
  setMany(pairs: readonly [string, string][]): void {
    const seen = new Set<string>();
    const defs: ParamDef[] = [];
    const allowProtected = this.get('enable-protected-configs') !== 'no';
    for (const [name] of pairs) {
      const def = Config.find(name);
      if (!def) throw new ConfigSetError(name, 'unknown option', true);
      if (def.immutable) throw new ConfigSetError(name, "can't set immutable config");
      if (def.protected && !allowProtected) throw new ConfigSetError(name, "can't set protected config");
      if (seen.has(name.toLowerCase())) throw new ConfigSetError(name, 'duplicate parameter');
      seen.add(name.toLowerCase());
      defs.push(def);
    }
    const staged = new Map<string, string>();
    pairs.forEach(([name, value], i) => {
      const def = defs[i]!;
      const args = def.multiArg ? value.split(' ').filter((a) => a !== '') : [value];
      try {
        staged.set(def.name, def.parse(args, staged.get(def.name) ?? this.values.get(def.name)!));
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigSetError(name, e.message);
        throw e;
      }
    });
    for (const [n, v] of staged) this.values.set(n, v);
    for (const [n, v] of staged) this.notify(n, v);
  }

  /** Puts back a value the server could not apply (a port it could not bind), without notifying. */
  revert(name: string, value: string): void {
    this.values.set(Config.find(name)!.name, value);
  }

  /** Calls fn whenever a parameter changes (the server applies live changes this way). */
  onChange(fn: ChangeListener): void {
    this.listeners.push(fn);
  }

  private notify(name: string, value: string): void {
    for (const l of this.listeners) l(name, value);
  }

  /**
   * CONFIG GET pattern [pattern ...]: [name, value] pairs. A pattern without glob characters is
   * looked up directly and answered under the spelling given; a glob matches every name and alias
   * (case-insensitive). A name already answered (case-insensitively) is not repeated.
   */
  match(patterns: readonly string[]): [string, string][] {
    const out = new Map<string, [string, string]>();
    const add = (shown: string, def: ParamDef) => {
      const key = shown.toLowerCase();
      const value = this.values.get(def.name)!;
      if (!out.has(key)) out.set(key, [shown, def.show ? def.show(value) : value]);
    };
    for (const pattern of patterns) {
      if (!/[*?[]/.test(pattern)) {
        const def = Config.find(pattern);
        if (def) add(pattern, def);
        continue;
      }
      for (const p of PARAMETERS) {
        if (p.hidden) continue;
        for (const n of [p.name, ...p.aliases]) if (globMatch(pattern, n, true)) add(n, p);
      }
    }
    return [...out.values()];
  }

  /** Every parameter with its current value, in table order (CONFIG REWRITE). */
  entries(): [ParamDef, string][] {
    return PARAMETERS.map((p) => [p, this.values.get(p.name)!]);
  }

  /**
   * Parameters Kioku does not act on yet that the configuration set to a non-default value,
   * followed by the file-only directives met (rename-command...): the start-up warning lists them.
   */
  unactedDirectives(): string[] {
    const names = PARAMETERS.filter((p) => !p.acted && this.explicitlySet.has(p.name) && this.values.get(p.name) !== p.default).map((p) => p.name);
    for (const d of this.fileOnlyDirectives) if (!names.includes(d)) names.push(d);
    return names;
  }
}

const BY_NAME = new Map<string, ParamDef>();
for (const p of PARAMETERS) {
  BY_NAME.set(p.name, p);
  for (const a of p.aliases) BY_NAME.set(a, p);
}
