/**
 * The parameter table: every Redis 7.0 configuration directive (all that `CONFIG GET *` lists on
 * redis-server 7.0.15, with their aliases), its type, canonical default, bounds, whether it is
 * immutable (start-up only) or protected, and whether Kioku acts on it yet. Each type's parser
 * turns the directive's arguments into the canonical text CONFIG GET answers (memory sizes in
 * bytes, booleans as yes/no, enums lowercase) and throws ConfigError with Redis's reason text.
 * Each type also says how CONFIG REWRITE writes it back. Mirrors redis config.c's standardConfig
 * table and its typed setters, in declarative form; the bounds were read from a real
 * redis-server 7.0.15's own error messages.
 *
 * Must not: touch the server. Applying a value is the server's business (Config change listeners).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseI64, repr } from './keyspace/bytes.js';
import { formatNotifyFlags, parseNotifyFlags } from './notifications.js';

/** A bad value or unknown name; `message` is the reason text Redis gives. */
export class ConfigError extends Error {}

/** One line CONFIG REWRITE writes for a parameter: its arguments, and whether it must be written even if the file lacks it. */
export interface RewriteLine {
  text: string;
  /** True when the value differs from the default: such a line is appended if the file has no line to reuse. */
  force: boolean;
}

export interface ParamDef {
  name: string;
  aliases: string[];
  /** Canonical default: what CONFIG GET shows on a fresh server. */
  default: string;
  /** Settable only at start-up (CONFIG SET: "can't set immutable config"). */
  immutable: boolean;
  /** CONFIG SET refuses it unless enable-protected-configs allows ("can't set protected config"). */
  protected: boolean;
  /** False while Kioku accepts the directive but does not act on it (named in a start-up warning). */
  acted: boolean;
  /** CONFIG SET splits its value on spaces into several arguments (save, bind, ...). */
  multiArg: boolean;
  /** A testing hook Redis keeps out of CONFIG GET patterns (HIDDEN_CONFIG): only its exact name finds it. */
  hidden: boolean;
  /** Directive arguments → canonical value; `current` is the value now (partial updates, relative paths). */
  parse(args: string[], current: string): string;
  /** The lines CONFIG REWRITE writes for a value (after the name); [] removes the directive. */
  rewrite(value: string): RewriteLine[];
  /** What CONFIG GET shows for a stored value, when it differs from the value itself. */
  show?(value: string): string;
}

interface Options {
  aliases?: string[];
  immutable?: boolean;
  protected?: boolean;
  acted?: boolean;
  hidden?: boolean;
}

const LLONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;
const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const UINT_MAX = 4294967295n;

function one(args: string[]): string {
  if (args.length !== 1) throw new ConfigError('wrong number of arguments');
  return args[0]!;
}

function def(
  name: string,
  dflt: string,
  parse: ParamDef['parse'],
  rewrite: ParamDef['rewrite'],
  o: Options,
  multiArg = false,
): ParamDef {
  return {
    name,
    aliases: o.aliases ?? [],
    default: dflt,
    immutable: o.immutable ?? false,
    protected: o.protected ?? false,
    acted: o.acted ?? true,
    hidden: o.hidden ?? false,
    multiArg,
    parse,
    rewrite,
  };
}

/** Written as is; appended only when not at the default (Redis rewriteConfigNumericalOption & co). */
function plain(dflt: string): ParamDef['rewrite'] {
  return (v) => [{ text: v, force: v !== dflt }];
}

// ---- Value syntax shared with the file parser and CONFIG REWRITE ----

const MEMORY_UNITS: Record<string, bigint> = {
  '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000n * 1000n, mb: 1024n * 1024n, g: 1000n * 1000n * 1000n, gb: 1024n * 1024n * 1024n,
};

/** Redis's memtoull: digits with an optional unit (b k kb m mb g gb, any case); undefined if malformed. */
export function parseMemoryBig(s: string): bigint | undefined {
  const m = /^(\d+)([a-zA-Z]*)$/.exec(s);
  if (!m) return undefined;
  const unit = MEMORY_UNITS[m[2]!.toLowerCase()];
  return unit === undefined ? undefined : BigInt(m[1]!) * unit;
}

/** parseMemory as a number ("100mb" → 104857600), for callers outside the table. */
export function parseMemory(s: string): number | undefined {
  const v = parseMemoryBig(s);
  return v === undefined ? undefined : Number(v);
}

/** Redis's rewriteConfigFormatMemory: 1gb, 64mb, 1kb when exact, else bytes. */
export function formatMemory(value: string): string {
  const v = BigInt(value);
  if (v === 0n) return '0';
  for (const [unit, size] of [['gb', 1n << 30n], ['mb', 1n << 20n], ['kb', 1n << 10n]] as const) {
    if (v % size === 0n) return `${v / size}${unit}`;
  }
  return value;
}

function parseIntStrict(s: string): bigint | undefined {
  const v = parseI64(s);
  return v === undefined ? undefined : BigInt(v);
}

function between(min: bigint, max: bigint): ConfigError {
  return new ConfigError(`argument must be between ${min} and ${max} inclusive`);
}

// ---- Parameter types ----

export function bool(name: string, dflt: boolean, o: Options = {}): ParamDef {
  const d = dflt ? 'yes' : 'no';
  return def(name, d, (args) => {
    const v = one(args).toLowerCase();
    if (v !== 'yes' && v !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
    return v;
  }, plain(d), o);
}

export function int(name: string, dflt: number, min: bigint | number, max: bigint | number, o: Options = {}): ParamDef {
  const lo = BigInt(min);
  const hi = BigInt(max);
  return def(name, String(dflt), (args) => {
    const n = parseIntStrict(one(args));
    if (n === undefined) throw new ConfigError("argument couldn't be parsed into an integer");
    if (n < lo || n > hi) throw between(lo, hi);
    return String(n);
  }, plain(String(dflt)), o);
}

export function memory(name: string, dflt: number, min: bigint | number, max: bigint | number, o: Options = {}): ParamDef {
  const lo = BigInt(min);
  const hi = BigInt(max);
  return def(name, String(dflt), (args) => {
    let n = parseMemoryBig(one(args));
    if (n === undefined) throw new ConfigError('argument must be a memory value');
    // Unsigned settings saturate as strtoull does; signed ones report their range.
    if (hi === ULLONG_MAX && n > hi) n = hi;
    if (n < lo || n > hi) throw between(lo, hi);
    return String(n);
  }, (v) => [{ text: formatMemory(v), force: v !== String(dflt) }], o);
}

export function enumeration(name: string, dflt: string, choices: string[], o: Options = {}): ParamDef {
  return def(name, dflt, (args) => {
    const v = one(args).toLowerCase();
    if (!choices.includes(v)) throw new ConfigError(`argument(s) must be one of the following: ${choices.join(', ')}`);
    return v;
  }, plain(dflt), o);
}

/** A string: written quoted, and removed from the file when back at its default (rewriteConfigStringOption). */
export function string(name: string, dflt: string, o: Options = {}): ParamDef {
  return def(name, dflt, (args) => one(args), (v) => (v === dflt ? [] : [{ text: repr(v), force: true }]), o);
}

/** A parameter with its own syntax (save, bind, client-output-buffer-limit...). */
function special(name: string, dflt: string, multiArg: boolean, parse: ParamDef['parse'], rewrite: ParamDef['rewrite'], o: Options = {}): ParamDef {
  return def(name, dflt, parse, rewrite, o, multiArg);
}

// ---- Special parameters ----

const SAVE_DEFAULT = '3600 1 300 100 60 10000';

/** save <seconds> <changes> [<seconds> <changes> ...] | save "": seconds ≥ 1, changes ≥ 0. */
function parseSave(args: string[]): string {
  if (args.length === 0 || (args.length === 1 && args[0] === '')) return '';
  if (args.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const secs = parseIntStrict(args[i]!);
    const changes = parseIntStrict(args[i + 1]!);
    if (secs === undefined || changes === undefined || secs < 1n || changes < 0n) throw new ConfigError('Invalid save parameters');
    out.push(`${secs} ${changes}`);
  }
  return out.join(' ');
}

/** One `save s c` line per pair (Redis 7.0 rewriteConfigSaveOption), or `save ""`. */
function rewriteSave(v: string): RewriteLine[] {
  if (v === '') return [{ text: '""', force: true }];
  const parts = v.split(' ');
  const out: RewriteLine[] = [];
  for (let i = 0; i < parts.length; i += 2) out.push({ text: `${parts[i]} ${parts[i + 1]}`, force: v !== SAVE_DEFAULT });
  return out;
}

const COBL_CLASSES = ['normal', 'slave', 'pubsub'] as const;
const COBL_DEFAULT = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';

/** client-output-buffer-limit <class> <hard> <soft> <seconds> ...: updates only the classes named. */
function parseCobl(args: string[], current: string): string {
  if (args.length === 0 || args.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
  const cur = current.split(' ');
  const limits = new Map<string, string[]>(COBL_CLASSES.map((c, i) => [c, cur.slice(i * 4 + 1, i * 4 + 4)]));
  for (let i = 0; i < args.length; i += 4) {
    let cls = args[i]!.toLowerCase();
    if (cls === 'replica') cls = 'slave';
    if (!limits.has(cls)) throw new ConfigError('Invalid client class specified in buffer limit configuration.');
    const hard = parseMemoryBig(args[i + 1]!);
    const soft = parseMemoryBig(args[i + 2]!);
    const secs = parseIntStrict(args[i + 3]!);
    if (hard === undefined || soft === undefined || secs === undefined || secs < 0n) {
      throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    limits.set(cls, [String(hard), String(soft), String(secs)]);
  }
  return COBL_CLASSES.map((c) => `${c} ${limits.get(c)!.join(' ')}`).join(' ');
}

/** One line per class; classes at their default are written only over an existing line. */
function rewriteCobl(v: string): RewriteLine[] {
  const cur = v.split(' ');
  const dflt = COBL_DEFAULT.split(' ');
  return COBL_CLASSES.map((c, i) => {
    const vals = cur.slice(i * 4 + 1, i * 4 + 4);
    const force = vals.join(' ') !== dflt.slice(i * 4 + 1, i * 4 + 4).join(' ');
    // CONFIG GET says "slave", the rewritten file says "replica" (Redis 7.0 does the same).
    const shown = c === 'slave' ? 'replica' : c;
    return { text: `${shown} ${formatMemory(vals[0]!)} ${formatMemory(vals[1]!)} ${vals[2]}`, force };
  });
}

/** bind addr [addr ...]: at most 16 addresses; a '-' prefix makes one optional. */
function parseBind(args: string[]): string {
  if (args.length > 16) throw new ConfigError('Too many bind addresses specified.');
  return args.join(' ');
}

/** replicaof <host> <port> | replicaof no one. */
function parseReplicaof(args: string[]): string {
  if (args.length !== 2) throw new ConfigError('wrong number of arguments');
  if (args[0]!.toLowerCase() === 'no' && args[1]!.toLowerCase() === 'one') return '';
  const port = parseIntStrict(args[1]!);
  if (port === undefined || port < 0n || port > 65535n) throw new ConfigError('Invalid master port');
  return `${args[0]} ${port}`;
}

/** dir <path>: an existing directory; the canonical value is absolute (Redis chdirs and shows getcwd). */
function parseDir(args: string[], current: string): string {
  const dir = path.resolve(current || process.cwd(), one(args));
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    throw new ConfigError(strerror(e));
  }
  if (!st.isDirectory()) throw new ConfigError('Not a directory');
  return dir;
}

/** The C strerror() text for a Node.js system error. */
export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const texts: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    EPERM: 'Operation not permitted',
    ENOTDIR: 'Not a directory',
    EISDIR: 'Is a directory',
    EROFS: 'Read-only file system',
    ENOSPC: 'No space left on device',
    EADDRINUSE: 'Address already in use',
    EADDRNOTAVAIL: 'Cannot assign requested address',
    ELOOP: 'Too many levels of symbolic links',
    ENAMETOOLONG: 'File name too long',
    EMFILE: 'Too many open files',
    EIO: 'Input/output error',
  };
  return (code && texts[code]) ?? (e as Error).message;
}

/**
 * notify-keyspace-events flags: parsed from any order, stored in Redis's canonical order
 * (notifications.ts) but keeping 'n' next to 'A', which CONFIG GET then hides as Redis does.
 */
function parseNotify(args: string[]): string {
  const mask = parseNotifyFlags(one(args));
  if (mask === undefined) throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  return formatNotifyFlags(mask, true);
}

/** The notify-keyspace-events value as CONFIG GET and CONFIG REWRITE show it. */
function showNotify(value: string): string {
  return formatNotifyFlags(parseNotifyFlags(value) ?? 0);
}

/** oom-score-adj-values <replica> <master> <bg-child>: three integers in [-2000, 2000]. */
function parseOomValues(args: string[]): string {
  if (args.length !== 3) throw new ConfigError('wrong number of arguments');
  return args
    .map((a) => {
      const n = parseIntStrict(a);
      if (n === undefined || n < -2000n || n > 2000n) throw new ConfigError('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
      return String(n);
    })
    .join(' ');
}

/** latency-tracking-info-percentiles [p ...]: doubles in [0, 100], shown as %f without trailing zeros. */
function parsePercentiles(args: string[]): string {
  return args
    .filter((a) => a !== '')
    .map((a) => {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(a)) throw new ConfigError('Invalid latency-tracking-info-percentiles parameters');
      const p = Number(a);
      if (p < 0 || p > 100) throw new ConfigError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
      return p.toFixed(6).replace(/\.?0+$/, '');
    })
    .join(' ');
}

/** maxmemory-clients: a memory size or a percentage of maxmemory ("10%"). */
function parseMemoryOrPercent(args: string[]): string {
  const s = one(args);
  if (s.endsWith('%')) {
    const pct = parseIntStrict(s.slice(0, -1));
    if (pct === undefined || pct < 0n) throw new ConfigError('argument must be a memory or percent value');
    if (pct > 100n) throw new ConfigError('percentage argument must be less or equal to 100');
    return pct === 0n ? '0' : `${pct}%`;
  }
  const n = parseMemoryBig(s);
  if (n === undefined) throw new ConfigError('argument must be a memory or percent value');
  return String(n > LLONG_MAX ? LLONG_MAX : n);
}

/** unixsocketperm: an octal permission mask up to 777. */
function parseOctal(args: string[]): string {
  const s = one(args);
  if (!/^-?[0-7]+$/.test(s)) throw new ConfigError("argument couldn't be parsed as an octal number");
  const n = parseInt(s, 8);
  if (n < 0 || n > 0o777) throw between(0n, 777n);
  return n.toString(8);
}

const quotedUnlessDefault = (dflt: string) => (v: string) => [{ text: repr(v), force: v !== dflt }];

/**
 * Every Redis 7.0 parameter, alphabetically. Defaults are those of a fresh redis-server 7.0.15
 * started in the foreground without a config file (so pidfile and logfile are empty). `dir`
 * starts as the working directory (see Config).
 */
export const PARAMETERS: ParamDef[] = [
  enumeration('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels'], { acted: false }),
  string('aclfile', '', { immutable: true, acted: false }),
  int('acllog-max-len', 128, 0, LLONG_MAX, { acted: false }),
  int('active-defrag-cycle-max', 25, 1, 99, { acted: false }),
  int('active-defrag-cycle-min', 1, 1, 99, { acted: false }),
  memory('active-defrag-ignore-bytes', 104857600, 1, LLONG_MAX, { acted: false }),
  int('active-defrag-max-scan-fields', 1000, 1, LLONG_MAX, { acted: false }),
  int('active-defrag-threshold-lower', 10, 0, 1000, { acted: false }),
  int('active-defrag-threshold-upper', 100, 0, 1000, { acted: false }),
  int('active-expire-effort', 1, 1, 10),
  bool('activedefrag', false, { acted: false }),
  bool('activerehashing', true, { acted: false }),
  bool('always-show-logo', false, { immutable: true, acted: false }),
  bool('aof-disable-auto-gc', false),
  bool('aof-load-truncated', true),
  bool('aof-rewrite-incremental-fsync', true, { acted: false }),
  bool('aof-timestamp-enabled', false),
  bool('aof-use-rdb-preamble', true),
  string('aof_rewrite_cpulist', '', { immutable: true, acted: false }),
  string('appenddirname', 'appendonlydir', { immutable: true }),
  string('appendfilename', 'appendonly.aof', { immutable: true }),
  enumeration('appendfsync', 'everysec', ['everysec', 'always', 'no']),
  bool('appendonly', false),
  memory('auto-aof-rewrite-min-size', 67108864, 0, LLONG_MAX),
  int('auto-aof-rewrite-percentage', 100, 0, INT_MAX),
  string('bgsave_cpulist', '', { immutable: true, acted: false }),
  special('bind', '* -::*', true, parseBind, plain('* -::*')),
  string('bind-source-addr', '', { acted: false }),
  string('bio_cpulist', '', { immutable: true, acted: false }),
  int('busy-reply-threshold', 5000, 0, LLONG_MAX, { acted: false }),
  // Acted on for the pubsub class (pubsub-hub.ts) and the replica class (replication/primary-side.ts); normal: later.
  special('client-output-buffer-limit', COBL_DEFAULT, true, parseCobl, rewriteCobl),
  memory('client-query-buffer-limit', 1073741824, 1048576, LLONG_MAX),
  bool('cluster-allow-pubsubshard-when-down', true, { acted: false }),
  bool('cluster-allow-reads-when-down', false, { acted: false }),
  bool('cluster-allow-replica-migration', true, { acted: false }),
  int('cluster-announce-bus-port', 0, 0, 65535, { acted: false }),
  string('cluster-announce-hostname', '', { acted: false }),
  string('cluster-announce-ip', '', { acted: false }),
  int('cluster-announce-port', 0, 0, 65535, { acted: false }),
  int('cluster-announce-tls-port', 0, 0, 65535, { acted: false }),
  string('cluster-config-file', 'nodes.conf', { immutable: true, acted: false }),
  bool('cluster-enabled', false, { immutable: true, acted: false }),
  memory('cluster-link-sendbuf-limit', 0, 0, ULLONG_MAX, { acted: false }),
  int('cluster-migration-barrier', 1, 0, INT_MAX, { acted: false }),
  int('cluster-node-timeout', 15000, 0, LLONG_MAX, { acted: false }),
  int('cluster-port', 0, 0, 65535, { immutable: true, acted: false }),
  enumeration('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint'], { acted: false }),
  bool('cluster-replica-no-failover', false, { aliases: ['cluster-slave-no-failover'], acted: false }),
  int('cluster-replica-validity-factor', 10, 0, INT_MAX, { aliases: ['cluster-slave-validity-factor'], acted: false }),
  bool('cluster-require-full-coverage', true, { acted: false }),
  bool('crash-log-enabled', true, { acted: false }),
  bool('crash-memcheck-enabled', true, { acted: false }),
  bool('daemonize', false, { immutable: true }),
  int('databases', 16, 1, INT_MAX, { immutable: true }),
  string('dbfilename', 'dump.rdb', { protected: true }),
  special('dir', '', false, parseDir, (v) => [{ text: repr(v), force: true }], { protected: true }),
  bool('disable-thp', true, { immutable: true, acted: false }),
  bool('dynamic-hz', true, { acted: false }),
  enumeration('enable-debug-command', 'no', ['no', 'yes', 'local'], { immutable: true, acted: false }),
  enumeration('enable-module-command', 'no', ['no', 'yes', 'local'], { immutable: true, acted: false }),
  enumeration('enable-protected-configs', 'no', ['no', 'yes', 'local'], { immutable: true, acted: false }),
  int('hash-max-listpack-entries', 512, 0, LLONG_MAX, { aliases: ['hash-max-ziplist-entries'] }),
  memory('hash-max-listpack-value', 64, 0, LLONG_MAX, { aliases: ['hash-max-ziplist-value'] }),
  memory('hll-sparse-max-bytes', 3000, 0, LLONG_MAX, { acted: false }),
  int('hz', 10, 0, INT_MAX),
  string('ignore-warnings', '', { acted: false }),
  int('io-threads', 1, 1, 128, { immutable: true, acted: false }),
  bool('io-threads-do-reads', false, { immutable: true, acted: false }),
  bool('jemalloc-bg-thread', true, { acted: false }),
  int('latency-monitor-threshold', 0, 0, LLONG_MAX, { acted: false }),
  bool('latency-tracking', true, { acted: false }),
  special('latency-tracking-info-percentiles', '50 99 99.9', true, parsePercentiles, plain('50 99 99.9'), { acted: false }),
  bool('lazyfree-lazy-eviction', false),
  bool('lazyfree-lazy-expire', false, { acted: false }),
  bool('lazyfree-lazy-server-del', false, { acted: false }),
  bool('lazyfree-lazy-user-del', false, { acted: false }),
  bool('lazyfree-lazy-user-flush', false, { acted: false }),
  int('lfu-decay-time', 1, 0, INT_MAX),
  int('lfu-log-factor', 10, 0, INT_MAX),
  int('list-compress-depth', 0, 0, INT_MAX, { acted: false }),
  int('list-max-listpack-size', -2, INT_MIN, INT_MAX, { aliases: ['list-max-ziplist-size'], acted: false }),
  string('logfile', '', { immutable: true }),
  enumeration('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  int('lua-time-limit', 5000, 0, LLONG_MAX, { acted: false }),
  string('masterauth', ''),
  string('masteruser', ''),
  // COMPAT: Redis lowers maxclients to what the open-files limit allows (and refuses CONFIG SET
  // beyond it); Node.js cannot raise or read that limit, so Kioku keeps the value as given.
  int('maxclients', 10000, 1, UINT_MAX),
  memory('maxmemory', 0, 0, ULLONG_MAX),
  special('maxmemory-clients', '0', false, parseMemoryOrPercent, (v) => [{ text: v.endsWith('%') ? v : formatMemory(v), force: v !== '0' }], { acted: false }),
  int('maxmemory-eviction-tenacity', 10, 0, 100),
  enumeration('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction']),
  int('maxmemory-samples', 5, 1, INT_MAX),
  int('min-replicas-max-lag', 10, 0, INT_MAX, { aliases: ['min-slaves-max-lag'] }),
  int('min-replicas-to-write', 0, 0, INT_MAX, { aliases: ['min-slaves-to-write'] }),
  bool('no-appendfsync-on-rewrite', false, { acted: false }),
  { ...special('notify-keyspace-events', '', false, parseNotify, (v) => quotedUnlessDefault('')(showNotify(v))), show: showNotify },
  enumeration('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute'], { acted: false }),
  special('oom-score-adj-values', '0 200 800', true, parseOomValues, plain('0 200 800'), { acted: false }),
  string('pidfile', '', { immutable: true }),
  // COMPAT: port 0 makes Kioku listen on a free port (the log line and INFO tell which); in Redis
  // it means "no TCP listener".
  int('port', 6379, 0, 65535),
  string('proc-title-template', '{title} {listen-addr} {server-mode}', { acted: false }),
  enumeration('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas'], { acted: false }),
  bool('protected-mode', true),
  memory('proto-max-bulk-len', 536870912, 1048576, LLONG_MAX),
  bool('rdb-del-sync-files', false, { acted: false }),
  bool('rdb-save-incremental-fsync', true, { acted: false }),
  bool('rdbchecksum', true, { immutable: true }),
  bool('rdbcompression', true),
  int('rdb-key-save-delay', 0, INT_MIN, INT_MAX, { hidden: true }),
  memory('repl-backlog-size', 1048576, 1, LLONG_MAX),
  int('repl-backlog-ttl', 3600, 0, LLONG_MAX),
  bool('repl-disable-tcp-nodelay', false, { acted: false }),
  enumeration('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb'], { acted: false }),
  bool('repl-diskless-sync', true),
  int('repl-diskless-sync-delay', 5, 0, INT_MAX),
  int('repl-diskless-sync-max-replicas', 0, 0, INT_MAX),
  int('repl-ping-replica-period', 10, 1, INT_MAX, { aliases: ['repl-ping-slave-period'] }),
  int('repl-timeout', 60, 1, INT_MAX),
  string('replica-announce-ip', '', { aliases: ['slave-announce-ip'] }),
  int('replica-announce-port', 0, 0, 65535, { aliases: ['slave-announce-port'] }),
  bool('replica-announced', true),
  bool('replica-ignore-disk-write-errors', false, { acted: false }),
  bool('replica-ignore-maxmemory', true, { aliases: ['slave-ignore-maxmemory'] }),
  bool('replica-lazy-flush', false, { aliases: ['slave-lazy-flush'], acted: false }),
  int('replica-priority', 100, 0, INT_MAX, { aliases: ['slave-priority'] }),
  bool('replica-read-only', true, { aliases: ['slave-read-only'] }),
  bool('replica-serve-stale-data', true, { aliases: ['slave-serve-stale-data'] }),
  special('replicaof', '', true, parseReplicaof, (v) => (v === '' ? [] : [{ text: v, force: true }]), { aliases: ['slaveof'], immutable: true }),
  string('requirepass', ''),
  enumeration('sanitize-dump-payload', 'no', ['no', 'yes', 'clients'], { acted: false }),
  special('save', SAVE_DEFAULT, true, parseSave, rewriteSave),
  string('server_cpulist', '', { immutable: true, acted: false }),
  int('set-max-intset-entries', 512, 0, LLONG_MAX),
  bool('set-proc-title', true, { immutable: true, acted: false }),
  enumeration('shutdown-on-sigint', 'default', ['default', 'save', 'nosave', 'now', 'force']),
  enumeration('shutdown-on-sigterm', 'default', ['default', 'save', 'nosave', 'now', 'force']),
  int('shutdown-timeout', 10, 0, INT_MAX, { acted: false }),
  int('slowlog-log-slower-than', 10000, -1, LLONG_MAX),
  int('slowlog-max-len', 128, 0, LLONG_MAX),
  int('socket-mark-id', 0, 0, UINT_MAX, { immutable: true, acted: false }),
  bool('stop-writes-on-bgsave-error', true),
  memory('stream-node-max-bytes', 4096, 0, LLONG_MAX, { acted: false }),
  int('stream-node-max-entries', 100, 0, LLONG_MAX, { acted: false }),
  enumeration('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], { immutable: true, acted: false }),
  bool('syslog-enabled', false, { immutable: true, acted: false }),
  enumeration('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], { immutable: true, acted: false }),
  string('syslog-ident', 'redis', { immutable: true, acted: false }),
  int('tcp-backlog', 511, 0, INT_MAX, { immutable: true }),
  int('tcp-keepalive', 300, 0, INT_MAX),
  int('timeout', 0, 0, INT_MAX),
  enumeration('tls-auth-clients', 'yes', ['no', 'yes', 'optional'], { acted: false }),
  string('tls-ca-cert-dir', '', { acted: false }),
  string('tls-ca-cert-file', '', { acted: false }),
  string('tls-cert-file', '', { acted: false }),
  string('tls-ciphers', '', { acted: false }),
  string('tls-ciphersuites', '', { acted: false }),
  string('tls-client-cert-file', '', { acted: false }),
  string('tls-client-key-file', '', { acted: false }),
  string('tls-client-key-file-pass', '', { acted: false }),
  bool('tls-cluster', false, { acted: false }),
  string('tls-dh-params-file', '', { acted: false }),
  string('tls-key-file', '', { acted: false }),
  string('tls-key-file-pass', '', { acted: false }),
  int('tls-port', 0, 0, 65535, { acted: false }),
  bool('tls-prefer-server-ciphers', false, { acted: false }),
  string('tls-protocols', '', { acted: false }),
  bool('tls-replication', false, { acted: false }),
  int('tls-session-cache-size', 20480, 0, INT_MAX, { acted: false }),
  int('tls-session-cache-timeout', 300, 0, INT_MAX, { acted: false }),
  bool('tls-session-caching', true, { acted: false }),
  int('tracking-table-max-keys', 1000000, 0, LLONG_MAX, { acted: false }),
  string('unixsocket', '', { immutable: true }),
  special('unixsocketperm', '0', false, parseOctal, plain('0'), { immutable: true }),
  int('zset-max-listpack-entries', 128, 0, LLONG_MAX, { aliases: ['zset-max-ziplist-entries'] }),
  memory('zset-max-listpack-value', 64, 0, LLONG_MAX, { aliases: ['zset-max-ziplist-value'] }),
];

/**
 * Directives a config file may hold that are not parameters (CONFIG GET does not list them):
 * name → accepted argument counts (negative: at least). Kioku does not act on them yet.
 */
export const FILE_ONLY_DIRECTIVES: ReadonlyMap<string, number> = new Map([
  ['rename-command', 3],
  ['user', -2],
  ['loadmodule', -2],
  // Deprecated in Redis 7.0 and ignored by it, kept loadable for old files.
  ['list-max-ziplist-entries', 2],
  ['list-max-ziplist-value', 2],
  ['lua-replicate-commands', 2],
]);
