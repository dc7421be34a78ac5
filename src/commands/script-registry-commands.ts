/**
 * FUNCTION and SCRIPT: the subcommands that manage the scripting registries (FUNCTION FLUSH, LIST,
 * HELP; SCRIPT FLUSH, EXISTS, HELP). They read and clear server.functionLibraries and
 * server.scripts; the scripting engine (EVAL, FUNCTION LOAD, FCALL...) fills those registries and
 * adds its own subcommands to these containers. Mirrors redis functions.c functionFlushCommand /
 * functionListCommand and eval.c scriptCommand.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { globMatch } from '../keyspace/glob.js';
import { replyError } from '../protocol/reply-errors.js';
import type { CommandContext, CommandSpecInput } from './command-spec.js';
import type { FunctionLibrary } from '../scripting/function-library.js';

const ERR_FUNCTION_FLUSH_OPTION = replyError('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
const ERR_SCRIPT_FLUSH_OPTION = replyError('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
const ERR_LIBRARYNAME_MISSING = replyError('ERR library name argument was not given');

// COMPAT: the HELP texts list the subcommands Kioku has; the scripting engine adds its own lines.
const FUNCTION_HELP = [
  'FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'HELP',
  '    Prints this help.',
];

const SCRIPT_HELP = [
  'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'HELP',
  '    Prints this help.',
];

/** Is the optional flush mode argument SYNC or ASYNC? (Both flush at once: Kioku has no lazy free.) */
function validFlushMode(mode: Bytes | undefined): boolean {
  if (mode === undefined) return true;
  const m = mode.toLowerCase();
  return m === 'sync' || m === 'async';
}

/** FUNCTION FLUSH [ASYNC|SYNC] → OK; every library is deleted. */
function functionFlush(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length > 3) {
    throw replyError(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try FUNCTION HELP.`);
  }
  if (!validFlushMode(argv[2])) throw ERR_FUNCTION_FLUSH_OPTION;
  ctx.server.functionLibraries.clear();
  // Redis counts a function flush as a change (it is propagated to replicas and the AOF).
  ctx.server.dirty++;
  ctx.reply.ok();
}

/** One library as FUNCTION LIST shows it. */
function writeLibrary(ctx: CommandContext, lib: FunctionLibrary, withCode: boolean): void {
  const r = ctx.reply;
  r.mapHeader(withCode ? 4 : 3);
  r.bulk('library_name');
  r.bulk(lib.name as Bytes);
  r.bulk('engine');
  r.bulk(lib.engine as Bytes);
  r.bulk('functions');
  r.arrayHeader(lib.functions.size);
  for (const fn of lib.functions.values()) {
    r.mapHeader(3);
    r.bulk('name');
    r.bulk(fn.name as Bytes);
    r.bulk('description');
    r.bulk(fn.description as Bytes | null);
    r.bulk('flags');
    r.setHeader(fn.flags.length);
    for (const f of fn.flags) r.simple(f);
  }
  if (withCode) {
    r.bulk('library_code');
    r.bulk(lib.code);
  }
}

/** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] → one map per library. Each option at most once. */
function functionList(ctx: CommandContext, argv: readonly Bytes[]): void {
  let withCode = false;
  let pattern: Bytes | undefined;
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    if (opt === 'withcode' && !withCode) {
      withCode = true;
    } else if (opt === 'libraryname' && pattern === undefined) {
      if (i + 1 >= argv.length) throw ERR_LIBRARYNAME_MISSING;
      pattern = argv[++i]!;
    } else {
      throw replyError(`ERR Unknown argument ${argv[i]}`);
    }
  }
  const libs = [...ctx.server.functionLibraries.values()].filter(
    (lib) => pattern === undefined || globMatch(pattern, lib.name as Bytes),
  );
  ctx.reply.arrayHeader(libs.length);
  for (const lib of libs) writeLibrary(ctx, lib, withCode);
}

/** SCRIPT FLUSH [ASYNC|SYNC] → OK; the script cache is emptied. */
function scriptFlush(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length > 3 || !validFlushMode(argv[2])) throw ERR_SCRIPT_FLUSH_OPTION;
  ctx.server.scripts.clear();
  ctx.reply.ok();
}

/** SCRIPT EXISTS sha1 [sha1 ...] → 1 or 0 for each (the hex digest is case-insensitive). */
function scriptExists(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.arrayHeader(argv.length - 2);
  for (const sha of argv.slice(2)) ctx.reply.integer(ctx.server.scripts.has(sha.toLowerCase()) ? 1 : 0);
}

// ---- Specs ----

function docs(summary: string, since: string, complexity: string) {
  return { summary, since, group: 'scripting', complexity };
}

const helpDocs = (since: string) => docs('Show helpful text about the different subcommands', since, 'O(1)');
const allShards = ['request_policy:all_shards', 'response_policy:all_succeeded'];

/** FUNCTION: a container (its subcommands carry @scripting, the container does not). */
export const functionCommandSpec: CommandSpecInput = {
  name: 'function', arity: -2, flags: [],
  docs: docs('A container for function commands', '7.0.0', 'Depends on subcommand.'),
  subcommands: [
    {
      name: 'flush', arity: -2, flags: ['write', 'noscript'], acl: ['scripting'], tips: allShards,
      docs: docs('Deleting all functions', '7.0.0', 'O(N) where N is the number of functions deleted'), handler: functionFlush,
    },
    {
      name: 'list', arity: -2, flags: ['noscript'], acl: ['scripting'], tips: ['nondeterministic_output_order'],
      docs: docs('List information about all the functions', '7.0.0', 'O(N) where N is the number of functions'), handler: functionList,
    },
    {
      name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['scripting'], docs: helpDocs('7.0.0'),
      handler: (ctx) => ctx.reply.simpleArray(FUNCTION_HELP),
    },
  ],
};

/** SCRIPT: a container (its subcommands carry @scripting, the container does not). */
export const scriptCommandSpec: CommandSpecInput = {
  name: 'script', arity: -2, flags: [],
  docs: docs('A container for Lua scripts management commands', '2.6.0', 'Depends on subcommand.'),
  subcommands: [
    {
      name: 'exists', arity: -3, flags: ['noscript'], acl: ['scripting'],
      tips: ['request_policy:all_shards', 'response_policy:agg_logical_and'],
      docs: docs(
        'Check existence of scripts in the script cache.', '2.6.0',
        'O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).',
      ),
      handler: scriptExists,
    },
    {
      name: 'flush', arity: -2, flags: ['noscript'], acl: ['scripting'],
      tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
      docs: docs('Remove all the scripts from the script cache.', '2.6.0', 'O(N) with N being the number of scripts in cache'),
      handler: scriptFlush,
    },
    {
      name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['scripting'], docs: helpDocs('5.0.0'),
      handler: (ctx) => ctx.reply.simpleArray(SCRIPT_HELP),
    },
  ],
};
