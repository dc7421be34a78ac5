/**
 * Server commands: INFO, TIME, LASTSAVE, SHUTDOWN, MONITOR, SLOWLOG, DEBUG, COMMAND, and the
 * registry side of FUNCTION and SCRIPT. This file holds the small commands and assembles the
 * family; INFO, COMMAND, DEBUG and FUNCTION/SCRIPT live in their own files (info-command.ts,
 * command-command.ts, debug-command.ts, script-registry-commands.ts). CONFIG, CLIENT and the
 * keyspace-wide commands (DBSIZE, FLUSHDB...) belong to their own families.
 * Mirrors redis server.c (timeCommand, lastsaveCommand, shutdownCommand, monitorCommand) and
 * slowlog.c slowlogCommand.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseInteger } from '../keyspace/bytes.js';
import { ERR_SYNTAX, replyError } from '../protocol/reply-errors.js';
import type { CommandContext, CommandSpecInput } from './command-spec.js';
import { family } from './command-table.js';
import { info } from './info-command.js';
import { commandCommandSpec } from './command-command.js';
import { debugCommandSpec } from './debug-command.js';
import { memoryCommandSpec } from './memory-command.js';
import { functionCommandSpec, scriptCommandSpec } from './script-registry-commands.js';

const ERR_NO_SHUTDOWN = replyError('ERR No shutdown in progress.');
const ERR_SHUTDOWN_FAILED = replyError('ERR Errors trying to SHUTDOWN. Check logs.');
const ERR_SLOWLOG_COUNT = replyError('ERR count should be greater than or equal to -1');

/** SLOWLOG GET's default count. */
const SLOWLOG_DEFAULT_COUNT = 10;

/** TIME → [unix seconds, microseconds], as bulk strings, from the wall clock. */
function time(ctx: CommandContext): void {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  ctx.reply.bulkArray([String(Math.floor(us / 1e6)) as Bytes, String(us % 1e6) as Bytes]);
}

/** LASTSAVE → unix time of the last successful save. */
function lastsave(ctx: CommandContext): void {
  ctx.reply.integer(ctx.server.lastSave);
}

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT] → no reply: the server closes every connection,
 * stops listening, and then calls server.onShutdown (main.ts exits the process there).
 * Kioku shuts down at once (it has no replicas to wait for), so there is never a shutdown in
 * progress for ABORT to cancel. Before stopping, a running BGSAVE is cancelled and the final
 * snapshot written (SAVE, or save points configured, unless NOSAVE); when that fails the
 * shutdown is refused unless FORCE.
 */
function shutdown(ctx: CommandContext, argv: readonly Bytes[]): void {
  let save = false;
  let nosave = false;
  let abort = false;
  let force = false;
  let others = false;
  for (const a of argv.slice(1)) {
    const opt = a.toLowerCase();
    if (opt === 'nosave') nosave = true;
    else if (opt === 'save') save = true;
    else if (opt === 'now') others = true;
    else if (opt === 'force') others = force = true;
    else if (opt === 'abort') abort = true;
    else throw ERR_SYNTAX;
  }
  if ((save && nosave) || (abort && (save || nosave || others))) throw ERR_SYNTAX;
  if (abort) throw ERR_NO_SHUTDOWN;
  const server = ctx.server;
  server.log.warn('User requested shutdown...');
  if (!server.persistence.finalSave({ save, nosave }) && !force) throw ERR_SHUTDOWN_FAILED;
  void server.stop().then(() => {
    server.log.warn('Redis is now ready to exit, bye bye...');
    server.onShutdown?.();
  });
}

/**
 * MONITOR → OK, then every command the server runs is streamed to this client
 * (server.feedMonitors). A client already monitoring gets no second reply, as in Redis.
 */
function monitor(ctx: CommandContext): void {
  if (ctx.client.monitor) return;
  ctx.client.monitor = true;
  ctx.server.monitors.add(ctx.client);
  ctx.reply.ok();
}

// ---- SLOWLOG ----

/** SLOWLOG GET [count] → newest first: [id, unix time, µs, argv, client addr, client name]. -1 = all. */
function slowlogGet(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length > 3) {
    throw replyError(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try SLOWLOG HELP.`);
  }
  let count = SLOWLOG_DEFAULT_COUNT;
  if (argv.length === 3) {
    const n = parseInteger(argv[2]!);
    if (n === undefined || n < -1) throw ERR_SLOWLOG_COUNT;
    count = n;
  }
  const entries = ctx.server.slowlog.entries;
  const shown = count === -1 ? entries : entries.slice(0, count);
  const r = ctx.reply;
  r.arrayHeader(shown.length);
  for (const e of shown) {
    r.arrayHeader(6);
    r.integer(e.id);
    r.integer(e.time);
    r.integer(e.usec);
    r.bulkArray(e.argv);
    r.bulk(e.addr as Bytes);
    r.bulk(e.name as Bytes);
  }
}

const SLOWLOG_HELP = [
  'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  'HELP',
  '    Prints this help.',
];

// ---- The family ----

function docs(summary: string, since: string, complexity?: string) {
  return complexity === undefined ? { summary, since, group: 'server' } : { summary, since, group: 'server', complexity };
}

const adminFlags = ['admin', 'noscript', 'loading', 'stale'] as const;
const slowlogAdmin = ['admin', 'loading', 'stale'] as const;

const slowlogCommandSpec: CommandSpecInput = {
  name: 'slowlog', arity: -2, flags: [],
  docs: docs('A container for slow log commands', '2.2.12', 'Depends on subcommand.'),
  subcommands: [
    {
      name: 'get', arity: -2, flags: [...slowlogAdmin], tips: ['request_policy:all_nodes', 'nondeterministic_output'],
      docs: docs("Get the slow log's entries", '2.2.12', 'O(N) where N is the number of entries returned'), handler: slowlogGet,
    },
    {
      name: 'len', arity: 2, flags: [...slowlogAdmin],
      tips: ['request_policy:all_nodes', 'response_policy:agg_sum', 'nondeterministic_output'],
      docs: docs("Get the slow log's length", '2.2.12', 'O(1)'), handler: (ctx) => ctx.reply.integer(ctx.server.slowlog.entries.length),
    },
    {
      name: 'reset', arity: 2, flags: [...slowlogAdmin], tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
      docs: docs('Clear all entries from the slow log', '2.2.12', 'O(N) where N is the number of entries in the slowlog'),
      handler: (ctx) => {
        ctx.server.slowlog.reset();
        ctx.reply.ok();
      },
    },
    {
      name: 'help', arity: 2, flags: ['loading', 'stale'],
      docs: docs('Show helpful text about the different subcommands', '6.2.0', 'O(1)'), handler: (ctx) => ctx.reply.simpleArray(SLOWLOG_HELP),
    },
  ],
};

export const serverCommands = family(undefined, [
  {
    name: 'info', arity: -1, flags: ['loading', 'stale'], acl: ['dangerous'],
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
    docs: docs('Get information and statistics about the server', '1.0.0', 'O(1)'), handler: info,
  },
  {
    name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], tips: ['nondeterministic_output'],
    docs: docs('Return the current server time', '2.6.0', 'O(1)'), handler: time,
  },
  {
    name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['admin', 'dangerous'], tips: ['nondeterministic_output'],
    docs: docs('Get the UNIX time stamp of the last successful save to disk', '1.0.0', 'O(1)'), handler: lastsave,
  },
  {
    name: 'shutdown', arity: -1, flags: [...adminFlags, 'no_multi', 'allow_busy'],
    docs: docs(
      'Synchronously save the dataset to disk and then shut down the server', '1.0.0',
      'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
    ),
    handler: shutdown,
  },
  {
    name: 'monitor', arity: 1, flags: [...adminFlags],
    docs: docs('Listen for all requests received by the server in real time', '1.0.0'), handler: monitor,
  },
  slowlogCommandSpec,
  memoryCommandSpec,
  debugCommandSpec,
  commandCommandSpec,
  functionCommandSpec,
  scriptCommandSpec,
]);
