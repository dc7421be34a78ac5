/**
 * SAVE and BGSAVE: RDB snapshots on demand (persistence/persistence.ts does the work).
 * LASTSAVE and SHUTDOWN's save live with the other server commands. Mirrors redis rdb.c
 * saveCommand and bgsaveCommand.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { ERR_SYNTAX, replyError } from '../protocol/reply-errors.js';
import type { CommandContext, CommandDocs } from './command-spec.js';
import { family } from './command-table.js';

const ERR_BGSAVE_IN_PROGRESS = replyError('ERR Background save already in progress');
const ERR_OTHER_CHILD = replyError(
  "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
);
const ERR_SAVE_FAILED = replyError('ERR');

/** SAVE → OK once the dataset is on disk; the server serves nobody meanwhile, as Redis's SAVE. */
function save(ctx: CommandContext): void {
  const p = ctx.server.persistence;
  if (p.rdbSnapshotInProgress) throw ERR_BGSAVE_IN_PROGRESS;
  if (!p.saveSync()) throw ERR_SAVE_FAILED;
  ctx.reply.ok();
}

/**
 * BGSAVE [SCHEDULE] → "Background saving started"; with SCHEDULE while an AOF rewrite runs, or
 * inside EXEC, "Background saving scheduled" (it starts from the cron once nothing else runs).
 */
function bgsave(ctx: CommandContext, argv: readonly Bytes[]): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && argv[1]!.toLowerCase() === 'schedule') schedule = true;
    else throw ERR_SYNTAX;
  }
  const p = ctx.server.persistence;
  if (p.rdbSnapshotInProgress) throw ERR_BGSAVE_IN_PROGRESS;
  // Another snapshot (an AOF rewrite) runs, or this is inside EXEC: it starts from the cron.
  const inExec = ctx.client.denyBlocking;
  if (ctx.server.snapshotGuard !== undefined || inExec) {
    if (!schedule && !inExec) throw ERR_OTHER_CHILD;
    p.bgsaveScheduled = true;
    ctx.reply.simple('Background saving scheduled');
    return;
  }
  p.startBgsave();
  ctx.reply.simple('Background saving started');
}

function docs(summary: string, since: string): CommandDocs {
  return { summary, since, group: 'server', complexity: 'O(N) where N is the total number of keys in all databases' };
}

export const persistenceCommands = family(undefined, [
  {
    name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
    docs: docs('Synchronously save the dataset to disk', '1.0.0'), handler: save,
  },
  {
    name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'],
    docs: docs('Asynchronously save the dataset to disk', '1.0.0'), handler: bgsave,
  },
]);
