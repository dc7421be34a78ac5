/**
 * Transaction commands: MULTI EXEC DISCARD WATCH UNWATCH. Mirrors redis multi.c (multiCommand,
 * execCommand, discardCommand, watchCommand, unwatchCommand).
 *
 * Queuing happens in the dispatcher (every command but EXEC DISCARD MULTI WATCH QUIT RESET is
 * answered +QUEUED between MULTI and EXEC, and a command refused while queuing makes EXEC reply
 * EXECABORT). EXEC runs the queue through the dispatcher's call path, so each command is counted,
 * slow-logged and propagated as if sent alone; its effects leave the server as one MULTI ... EXEC
 * unit (Propagator.beginAtomic). Blocking commands answer at once inside it (client.denyBlocking).
 * The watched-keys registry lives in src/transactions.ts.
 *
 * COMPAT: CLIENT REPLY OFF|SKIP queued inside a transaction: Redis 7.0 applies it to the replies
 * inside EXEC's array as they are written (and can send an array header whose count does not
 * match what follows); Kioku keeps or drops EXEC's reply as a whole, by the mode EXEC started in.
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { CommandContext, CommandDocs, CommandSpecInput } from './command-spec.js';
import { family } from './command-table.js';
import { rangeKeySpec } from './command-spec.js';
import { discardTransaction, MultiState } from '../transactions.js';
import {
  ERR_DISCARD_WITHOUT_MULTI,
  ERR_EXEC_WITHOUT_MULTI,
  ERR_MULTI_NESTED,
  ERR_WATCH_IN_MULTI,
  EXECABORT,
} from '../protocol/reply-errors.js';

/** MULTI → OK; later commands are queued until EXEC or DISCARD. */
function multi(ctx: CommandContext): void {
  if (ctx.client.multi !== undefined) throw ERR_MULTI_NESTED;
  ctx.client.multi = new MultiState();
  ctx.reply.ok();
}

/**
 * EXEC → an array of the queued commands' replies (errors in place); a null array when a
 * watched key changed; EXECABORT when a command was refused while queuing.
 */
function exec(ctx: CommandContext): void {
  const client = ctx.client;
  const state = client.multi;
  if (state === undefined) throw ERR_EXEC_WITHOUT_MULTI;
  const server = ctx.server;
  const dirty = client.dirtyCas || server.watches.anyExpired(client);
  discardTransaction(client);
  if (state.aborted) throw EXECABORT;
  if (dirty) {
    ctx.reply.nullArray();
    return;
  }
  ctx.reply.arrayHeader(state.queue.length);
  client.denyBlocking = true;
  server.propagator.beginAtomic();
  try {
    for (const q of state.queue) server.dispatcher.call(client, q.spec, q.argv);
  } finally {
    client.denyBlocking = false;
    server.propagator.endAtomic();
  }
}

/** DISCARD → OK; the queue is dropped and every key unwatched. */
function discard(ctx: CommandContext): void {
  if (ctx.client.multi === undefined) throw ERR_DISCARD_WITHOUT_MULTI;
  discardTransaction(ctx.client);
  ctx.reply.ok();
}

/** WATCH key [key ...] → OK; EXEC will fail if any of them changes first. */
function watch(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (ctx.client.multi !== undefined) throw ERR_WATCH_IN_MULTI;
  for (let i = 1; i < argv.length; i++) ctx.server.watches.watch(ctx.client, ctx.db, argv[i]!);
  ctx.reply.ok();
}

/** UNWATCH → OK; every key unwatched and a change already seen forgotten. */
function unwatch(ctx: CommandContext): void {
  ctx.server.watches.unwatchAll(ctx.client);
  ctx.client.dirtyCas = false;
  ctx.reply.ok();
}

// ---- Command table ----

function docs(summary: string, since: string, complexity: string): CommandDocs {
  return { summary, since, group: 'transactions', complexity };
}

const txFlags = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;

const commands: CommandSpecInput[] = [
  {
    name: 'multi', arity: 1, flags: [...txFlags],
    docs: docs('Mark the start of a transaction block', '1.2.0', 'O(1)'), handler: multi,
  },
  {
    name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'],
    docs: docs('Execute all commands issued after MULTI', '1.2.0', 'Depends on commands in the transaction'),
    handler: exec,
  },
  {
    name: 'discard', arity: 1, flags: [...txFlags],
    docs: docs('Discard all commands issued after MULTI', '2.0.0', 'O(N), when N is the number of queued commands'),
    handler: discard,
  },
  {
    name: 'watch', arity: -2, flags: [...txFlags], firstKey: 1, lastKey: -1, step: 1,
    keySpecs: [rangeKeySpec(['RO'], 1, -1)],
    docs: docs('Watch the given keys to determine execution of the MULTI/EXEC block', '2.2.0', 'O(1) for every key.'),
    handler: watch,
  },
  {
    name: 'unwatch', arity: 1, flags: [...txFlags],
    docs: docs('Forget about all watched keys', '2.2.0', 'O(1)'), handler: unwatch,
  },
];

export const transactionCommands = family('transaction', commands);
