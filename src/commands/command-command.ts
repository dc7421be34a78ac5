/**
 * COMMAND and its subcommands (COUNT, INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP): the
 * command table described to clients, in Redis 7.0's exact reply shapes, so that client libraries
 * and cluster proxies that read COMMAND (ioredis, redis-cli, Redis's test suite) see the same
 * table as on Redis. Mirrors redis server.c commandCommand, commandInfoCommand,
 * commandDocsCommand, commandListCommand and commandGetKeysCommand.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { globMatch } from '../keyspace/glob.js';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import { ERR_SYNTAX, ReplyError, replyError } from '../protocol/reply-errors.js';
import type { CommandContext, CommandSpec, CommandSpecInput, KeySpec } from './command-spec.js';
import type { CommandTable } from './command-table.js';
import { InvalidKeyArgs, keysFromSpecs, orderedKeySpecFlags } from './key-specs.js';

const ERR_INVALID_COMMAND = replyError('ERR Invalid command specified');
const ERR_INVALID_ARG_COUNT = replyError('ERR Invalid number of arguments specified for command');
const ERR_NO_KEY_ARGS = replyError('ERR The command has no key arguments');
const ERR_INVALID_ARGS = replyError('ERR Invalid arguments specified for command');

// ---- COMMAND INFO ----

function writeKeySpec(r: ReplyWriter, ks: KeySpec): void {
  r.mapHeader(ks.notes !== undefined ? 4 : 3);
  if (ks.notes !== undefined) {
    r.bulk('notes');
    r.bulk(ks.notes);
  }
  r.bulk('flags');
  const flags = orderedKeySpecFlags(ks.flags);
  r.setHeader(flags.length);
  for (const f of flags) r.simple(f);

  r.bulk('begin_search');
  r.mapHeader(2);
  r.bulk('type');
  const b = ks.begin;
  if (b === 'unknown') {
    r.bulk('unknown');
    r.bulk('spec');
    r.mapHeader(0);
  } else if ('index' in b) {
    r.bulk('index');
    r.bulk('spec');
    r.mapHeader(1);
    r.bulk('index');
    r.integer(b.index);
  } else {
    r.bulk('keyword');
    r.bulk('spec');
    r.mapHeader(2);
    r.bulk('keyword');
    r.bulk(b.keyword);
    r.bulk('startfrom');
    r.integer(b.startfrom);
  }

  r.bulk('find_keys');
  r.mapHeader(2);
  r.bulk('type');
  const f = ks.find;
  if (f === 'unknown') {
    r.bulk('unknown');
    r.bulk('spec');
    r.mapHeader(0);
  } else if ('lastkey' in f) {
    r.bulk('range');
    r.bulk('spec');
    r.mapHeader(3);
    r.bulk('lastkey');
    r.integer(f.lastkey);
    r.bulk('keystep');
    r.integer(f.keystep);
    r.bulk('limit');
    r.integer(f.limit);
  } else {
    r.bulk('keynum');
    r.bulk('spec');
    r.mapHeader(3);
    r.bulk('keynumidx');
    r.integer(f.keynumidx);
    r.bulk('firstkey');
    r.integer(f.firstkey);
    r.bulk('keystep');
    r.integer(f.keystep);
  }
}

/**
 * One command's COMMAND INFO entry: [name, arity, flags, first, last, step, acl categories, tips,
 * key specs, subcommands]. Sets where Redis uses sets (RESP3 ~), the subcommand list an array
 * when there are subcommands and an empty set when there are none, as Redis sends them.
 */
export function writeCommandInfo(r: ReplyWriter, spec: CommandSpec): void {
  r.arrayHeader(10);
  r.bulk(spec.fullName);
  r.integer(spec.arity);
  r.setHeader(spec.flags.length);
  for (const f of spec.flags) r.simple(f);
  r.integer(spec.firstKey);
  r.integer(spec.lastKey);
  r.integer(spec.step);
  r.setHeader(spec.acl.length);
  for (const c of spec.acl) r.simple('@' + c);
  r.bulkSet(spec.tips);
  r.setHeader(spec.keySpecs.length);
  for (const ks of spec.keySpecs) writeKeySpec(r, ks);
  if (spec.subcommands) {
    r.arrayHeader(spec.subcommands.size);
    for (const sub of spec.subcommands.values()) writeCommandInfo(r, sub);
  } else {
    r.setHeader(0);
  }
}

/** A command by name, or "container|sub" for a subcommand (case-insensitive). */
export function findByFullName(table: CommandTable, name: Bytes): CommandSpec | undefined {
  const bar = name.indexOf('|');
  if (bar < 0) return table.get(name);
  const parent = table.get(name.slice(0, bar));
  return parent?.subcommands?.get(name.slice(bar + 1).toLowerCase());
}

/** COMMAND → every command's INFO entry. */
function command(ctx: CommandContext): void {
  const all = [...ctx.server.commands.all()];
  ctx.reply.arrayHeader(all.length);
  for (const spec of all) writeCommandInfo(ctx.reply, spec);
}

/** COMMAND INFO [name ...] → entries, null for unknown names; all commands without names. */
function commandInfo(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length === 2) return command(ctx);
  ctx.reply.arrayHeader(argv.length - 2);
  for (const name of argv.slice(2)) {
    const spec = findByFullName(ctx.server.commands, name);
    if (spec) writeCommandInfo(ctx.reply, spec);
    else ctx.reply.nullBulk();
  }
}

/** COMMAND COUNT → number of top-level commands. */
function commandCount(ctx: CommandContext): void {
  ctx.reply.integer(ctx.server.commands.size);
}

// ---- COMMAND DOCS ----

function writeDocs(r: ReplyWriter, spec: CommandSpec): void {
  const d = spec.docs;
  const fields: [string, () => void][] = [
    ['summary', () => r.bulk(d.summary)],
    ['since', () => r.bulk(d.since)],
    ['group', () => r.bulk(d.group)],
  ];
  if (d.complexity !== undefined) fields.push(['complexity', () => r.bulk(d.complexity!)]);
  if (d.docFlags?.length) fields.push(['doc_flags', () => {
    r.setHeader(d.docFlags!.length);
    for (const f of d.docFlags!) r.simple(f);
  }]);
  if (d.deprecatedSince !== undefined) fields.push(['deprecated_since', () => r.bulk(d.deprecatedSince!)]);
  if (d.replacedBy !== undefined) fields.push(['replaced_by', () => r.bulk(d.replacedBy!)]);
  // COMPAT: Redis also sends "history" and "arguments"; Kioku's table does not describe arguments.
  if (spec.subcommands) fields.push(['subcommands', () => {
    r.mapHeader(spec.subcommands!.size);
    for (const sub of spec.subcommands!.values()) {
      r.bulk(sub.fullName);
      writeDocs(r, sub);
    }
  }]);
  r.mapHeader(fields.length);
  for (const [name, write] of fields) {
    r.bulk(name);
    write();
  }
}

/** COMMAND DOCS [name ...] → map name → docs; unknown names are left out; all without names. */
function commandDocs(ctx: CommandContext, argv: readonly Bytes[]): void {
  const specs: CommandSpec[] = [];
  if (argv.length === 2) specs.push(...ctx.server.commands.all());
  for (const name of argv.slice(2)) {
    const spec = findByFullName(ctx.server.commands, name);
    if (spec) specs.push(spec);
  }
  ctx.reply.mapHeader(specs.length);
  for (const spec of specs) {
    ctx.reply.bulk(spec.fullName);
    writeDocs(ctx.reply, spec);
  }
}

// ---- COMMAND LIST ----

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern] → names, subcommands included. */
function commandList(ctx: CommandContext, argv: readonly Bytes[]): void {
  let filter: (spec: CommandSpec) => boolean = () => true;
  if (argv.length !== 2) {
    if (argv.length !== 5 || argv[2]!.toLowerCase() !== 'filterby') throw ERR_SYNTAX;
    const kind = argv[3]!.toLowerCase();
    const value = argv[4]!;
    if (kind === 'module') filter = () => false; // no modules: nothing belongs to one
    else if (kind === 'aclcat') filter = (s) => s.acl.includes(value.toLowerCase() as CommandSpec['acl'][number]);
    else if (kind === 'pattern') filter = (s) => globMatch(value, s.fullName, true);
    else throw ERR_SYNTAX;
  }
  const names: Bytes[] = [];
  const visit = (spec: CommandSpec) => {
    if (filter(spec)) names.push(spec.fullName as Bytes);
    if (spec.subcommands) for (const sub of spec.subcommands.values()) visit(sub);
  };
  for (const spec of ctx.server.commands.all()) visit(spec);
  ctx.reply.bulkArray(names);
}

// ---- COMMAND GETKEYS / GETKEYSANDFLAGS ----

/** Looks up the command in argv[2...] and returns it with the key positions of that command line. */
function resolveKeys(ctx: CommandContext, argv: readonly Bytes[]): { spec: CommandSpec; cmd: Bytes[]; keys: number[] } {
  const cmd = argv.slice(2);
  const { spec } = ctx.server.commands.lookup(cmd);
  if (!spec || !spec.handler) throw ERR_INVALID_COMMAND;
  const n = cmd.length;
  if ((spec.arity > 0 && n !== spec.arity) || n < -spec.arity) throw ERR_INVALID_ARG_COUNT;
  let keys: number[];
  try {
    keys = spec.getKeys ? spec.getKeys(cmd) : ctx.server.commands.keyPositions(spec, cmd);
  } catch (e) {
    if (e instanceof ReplyError || e instanceof InvalidKeyArgs) throw ERR_INVALID_ARGS;
    throw e;
  }
  if (keys.some((k) => k < 1 || k >= n)) throw ERR_INVALID_ARGS;
  if (keys.length === 0 && !spec.has('movablekeys')) throw ERR_NO_KEY_ARGS;
  return { spec, cmd, keys };
}

/** COMMAND GETKEYS command [arg ...] → the key arguments. */
function commandGetKeys(ctx: CommandContext, argv: readonly Bytes[]): void {
  const { cmd, keys } = resolveKeys(ctx, argv);
  ctx.reply.bulkArray(keys.map((k) => cmd[k]!));
}

/**
 * COMMAND GETKEYSANDFLAGS command [arg ...] → [[key, flags]...]. Each key's flags are those of the
 * key spec that finds it.
 * COMPAT: for commands whose key flags depend on the arguments (variable_flags, e.g. SET with or
 * without GET), Redis computes per-call flags; Kioku reports the key spec's declared flags.
 */
function commandGetKeysAndFlags(ctx: CommandContext, argv: readonly Bytes[]): void {
  const { spec, cmd, keys } = resolveKeys(ctx, argv);
  let found: { pos: number; spec: number }[] = [];
  try {
    found = keysFromSpecs(spec.keySpecs, cmd);
  } catch (e) {
    if (!(e instanceof InvalidKeyArgs)) throw e;
  }
  const r = ctx.reply;
  r.arrayHeader(keys.length);
  for (const k of keys) {
    const ks = spec.keySpecs[found.find((f) => f.pos === k)?.spec ?? 0];
    const flags = ks ? orderedKeySpecFlags(ks.flags) : [];
    r.arrayHeader(2);
    r.bulk(cmd[k]!);
    r.setHeader(flags.length);
    for (const f of flags) r.simple(f);
  }
}

const COMMAND_HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

// ---- Spec ----

function docs(summary: string, since: string, complexity: string) {
  return { summary, since, group: 'server', complexity };
}

const commandFlags = ['loading', 'stale'] as const;
const nondeterministicOrder = ['nondeterministic_output_order'];
const allCommands = 'O(N) where N is the total number of Redis commands';
const perArgument = 'O(N) where N is the number of arguments to the command';
const perLookup = 'O(N) where N is the number of commands to look up';

export const commandCommandSpec: CommandSpecInput = {
  name: 'command', arity: -1, flags: [...commandFlags], acl: ['connection'], tips: nondeterministicOrder,
  docs: docs('Get array of Redis command details', '2.8.13', allCommands),
  handler: command,
  subcommands: [
    { name: 'count', arity: 2, flags: [...commandFlags], acl: ['connection'], docs: docs('Get total number of Redis commands', '2.8.13', 'O(1)'), handler: commandCount },
    {
      name: 'info', arity: -2, flags: [...commandFlags], acl: ['connection'], tips: nondeterministicOrder,
      docs: docs('Get array of specific Redis command details, or all when no argument is given.', '2.8.13', perLookup), handler: commandInfo,
    },
    {
      name: 'docs', arity: -2, flags: [...commandFlags], acl: ['connection'], tips: nondeterministicOrder,
      docs: docs('Get array of specific Redis command documentation', '7.0.0', perLookup), handler: commandDocs,
    },
    {
      name: 'list', arity: -2, flags: [...commandFlags], acl: ['connection'], tips: nondeterministicOrder,
      docs: docs('Get an array of Redis command names', '7.0.0', allCommands), handler: commandList,
    },
    { name: 'getkeys', arity: -4, flags: [...commandFlags], acl: ['connection'], docs: docs('Extract keys given a full Redis command', '2.8.13', perArgument), handler: commandGetKeys },
    {
      name: 'getkeysandflags', arity: -4, flags: [...commandFlags], acl: ['connection'],
      docs: docs('Extract keys and access flags given a full Redis command', '7.0.0', perArgument), handler: commandGetKeysAndFlags,
    },
    {
      name: 'help', arity: 2, flags: [...commandFlags], acl: ['connection'],
      docs: docs('Show helpful text about the different subcommands', '5.0.0', 'O(1)'), handler: (ctx) => ctx.reply.simpleArray(COMMAND_HELP),
    },
  ],
};
