/**
 * AOF commands: BGREWRITEAOF. The rewrite itself (a new incremental file, a background snapshot
 * written as the new base, the atomic manifest switch) lives in persistence/aof.ts. Mirrors
 * redis aof.c bgrewriteaofCommand().
 */
import { ERR_AOF_REWRITE_FAILED, ERR_AOF_REWRITE_IN_PROGRESS } from '../protocol/reply-errors.js';
import type { CommandContext } from './command-spec.js';
import { family } from './command-table.js';

/**
 * BGREWRITEAOF → +Background append only file rewriting started; "...scheduled" when another
 * snapshot (BGSAVE) runs or inside EXEC (it starts from serverCron once possible); an error
 * when a rewrite is already running.
 */
function bgrewriteaof(ctx: CommandContext): void {
  const aof = ctx.server.aof;
  if (aof.rewriteInProgress) throw ERR_AOF_REWRITE_IN_PROGRESS;
  if (ctx.client.denyBlocking) {
    // Inside EXEC (Redis server.in_exec): the rewrite starts once the transaction is over.
    aof.rewriteScheduled = true;
    ctx.reply.simple('Background append only file rewriting scheduled');
    return;
  }
  let started;
  try {
    started = aof.startRewrite();
  } catch (e) {
    ctx.server.log.warn(`Can't rewrite append only file in background: ${(e as Error).message}`);
    throw ERR_AOF_REWRITE_FAILED;
  }
  ctx.reply.simple(`Background append only file rewriting ${started === 'scheduled' ? 'scheduled' : 'started'}`);
}

export const aofCommands = family(undefined, [
  {
    name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'],
    docs: { summary: 'Asynchronously rewrite the append-only file', since: '1.0.0', group: 'server', complexity: 'O(1)' },
    handler: bgrewriteaof,
  },
]);
