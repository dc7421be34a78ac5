/**
 * The parameter table: every Redis 7.0 configuration directive, with its type, default and bounds,
 * and whether Kioku acts on it yet. Mirrors redis config.c's standardConfig table (types and
 * ranges) in declarative form. Error texts are Redis's.
 */
/** A bad value or unknown name; `message` is the text Redis uses for the reason. */
export class ConfigError extends Error {}

/** Parses "100mb", "1gb", "5k"... as Redis's memtoull; undefined if malformed. */
export function parseMemory(s: string): number | undefined {
  const m = /^(-?\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(s);
  if (!m) return undefined;
  const units: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 };
  return Number(m[1]) * (m[2] ? units[m[2].toLowerCase()]! : 1);
}


export interface ParamDef {
  name: string;
  aliases?: string[];
  /** Canonical default (what CONFIG GET shows on a fresh server). */
  default: string;
  /** Can only be set at start-up. */
  immutable?: boolean;
  /** False while Kioku accepts the directive but does not act on it (logged at start-up). */
  acted: boolean;
  /** Textual args → canonical value; throws ConfigError(reason). */
  parse(args: string[]): string;
}

interface Options {
  aliases?: string[];
  immutable?: boolean;
  acted?: boolean;
}

function one(args: string[]): string {
  if (args.length !== 1) throw new ConfigError('wrong number of arguments');
  return args[0]!;
}

function def(name: string, dflt: string, parse: (args: string[]) => string, o: Options): ParamDef {
  const p: ParamDef = { name, default: dflt, acted: o.acted ?? true, parse };
  if (o.aliases) p.aliases = o.aliases;
  if (o.immutable) p.immutable = true;
  return p;
}

export function bool(name: string, dflt: boolean, o: Options = {}): ParamDef {
  return def(name, dflt ? 'yes' : 'no', (args) => {
    const v = one(args).toLowerCase();
    if (v !== 'yes' && v !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
    return v;
  }, o);
}

export function int(name: string, dflt: number, min: number, max: number, o: Options = {}): ParamDef {
  return def(name, String(dflt), (args) => {
    const v = one(args);
    if (!/^-?\d+$/.test(v)) throw new ConfigError("argument couldn't be parsed into an integer");
    const n = Number(v);
    if (n < min || n > max) throw new ConfigError(`argument must be between ${min} and ${max} inclusive`);
    return String(n);
  }, o);
}

export function memory(name: string, dflt: number, min: number, max: number, o: Options = {}): ParamDef {
  return def(name, String(dflt), (args) => {
    const n = parseMemory(one(args));
    if (n === undefined) throw new ConfigError('argument must be a memory value');
    if (n < min || n > max) throw new ConfigError(`argument must be between ${min} and ${max} inclusive`);
    return String(n);
  }, o);
}

export function enumeration(name: string, dflt: string, choices: string[], o: Options = {}): ParamDef {
  return def(name, dflt, (args) => {
    const v = one(args).toLowerCase();
    if (!choices.includes(v)) throw new ConfigError(`argument(s) must be one of the following: ${choices.join(', ')}`);
    return v;
  }, o);
}

export function string(name: string, dflt: string, o: Options = {}): ParamDef {
  return def(name, dflt, (args) => one(args), o);
}

/** A parameter with its own syntax (save, bind, client-output-buffer-limit...). */
export function special(name: string, dflt: string, parse: (args: string[]) => string, o: Options = {}): ParamDef {
  return def(name, dflt, parse, o);
}

const LLONG_MAX = Number.MAX_SAFE_INTEGER;
const INT_MAX = 2147483647;

export const PARAMETERS: ParamDef[] = [
  // ---- Network ----
  int('port', 6379, 0, 65535),
  special('bind', '* -::*', (args) => {
    if (args.length === 0) throw new ConfigError('wrong number of arguments');
    return args.join(' ');
  }),
  bool('protected-mode', true),
  int('tcp-backlog', 511, 0, INT_MAX, { immutable: true }),
  int('timeout', 0, 0, INT_MAX),
  int('tcp-keepalive', 300, 0, INT_MAX),
  int('maxclients', 10000, 1, INT_MAX),
  memory('proto-max-bulk-len', 512 * 1024 * 1024, 1024 * 1024, LLONG_MAX),
  memory('client-query-buffer-limit', 1024 * 1024 * 1024, 1024 * 1024, LLONG_MAX),
  // ---- General ----
  int('databases', 16, 1, INT_MAX, { immutable: true }),
  enumeration('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning', 'nothing']),
  string('logfile', '', { immutable: true }),
  string('dir', '', {}),
  string('requirepass', ''),
  int('hz', 10, 0, INT_MAX),
  int('active-expire-effort', 1, 1, 10),
  // ---- Slow log ----
  int('slowlog-log-slower-than', 10000, -1, LLONG_MAX),
  int('slowlog-max-len', 128, 0, LLONG_MAX),
];
