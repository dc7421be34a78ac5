/**
 * REPLICAOF / SLAVEOF, ROLE, WAIT, and the commands replicas send (PSYNC, SYNC, REPLCONF). The
 * work is in replication/: primary-side.ts serves replicas, replica-side.ts follows a primary.
 * Mirrors redis replication.c replicaofCommand, roleCommand, waitCommand, syncCommand,
 * replconfCommand.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseI64, parseInteger } from '../keyspace/bytes.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, replyError } from '../protocol/reply-errors.js';
import type { CommandContext, CommandDocs } from './command-spec.js';
import { ERR_TIMEOUT_NEGATIVE, ERR_TIMEOUT_NOT_INTEGER } from './blocking-timeout.js';
import { family } from './command-table.js';

const ERR_MASTER_PORT = replyError('ERR Invalid master port');
const ERR_REPLICA_CLIENT = replyError('ERR Command is not valid when client is a replica.');
const ERR_WAIT_ON_REPLICA = replyError(
  'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
);

/** REPLICAOF host port | NO ONE */
function replicaof(ctx: CommandContext, argv: readonly Bytes[]): void {
  const repl = ctx.server.replication;
  const host = argv[1]!;
  if (host.toLowerCase() === 'no' && argv[2]!.toLowerCase() === 'one') {
    if (repl.isReplica) repl.promote();
    ctx.reply.ok();
    return;
  }
  if (ctx.client.replicaLink !== undefined) throw ERR_REPLICA_CLIENT;
  const port = parseInteger(argv[2]!);
  if (port === undefined || port < 0 || port > 65535) throw ERR_MASTER_PORT;
  const link = repl.link;
  if (link !== undefined && link.host.toLowerCase() === host.toLowerCase() && link.port === port) {
    ctx.server.log.info('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
    ctx.reply.simple('OK Already connected to specified master');
    return;
  }
  repl.follow(host, port);
  ctx.server.log.info(`REPLICAOF ${host}:${port} enabled (user request from '${ctx.client.describe()}')`);
  ctx.reply.ok();
}

/** ROLE → ["master", offset, [[ip, port, offset]...]] or, on a replica, its link's state. */
function role(ctx: CommandContext): void {
  const repl = ctx.server.replication;
  const r = ctx.reply;
  if (repl.link !== undefined) {
    repl.link.roleReply(r);
    return;
  }
  const entries = repl.replicas.roleEntries();
  r.arrayHeader(3);
  r.bulk('master');
  r.integer(repl.offset);
  r.arrayHeader(entries.length);
  for (const [ip, port, offset] of entries) {
    r.arrayHeader(3);
    r.bulk(ip);
    r.bulk(port);
    r.bulk(offset);
  }
}

/** WAIT numreplicas timeout → how many replicas acknowledged this client's writes. */
function wait(ctx: CommandContext, argv: readonly Bytes[]): void {
  const repl = ctx.server.replication;
  if (repl.isReplica) throw ERR_WAIT_ON_REPLICA;
  const numReplicas = parseI64(argv[1]!);
  if (numReplicas === undefined) throw ERR_NOT_INTEGER;
  const timeout = parseI64(argv[2]!);
  if (timeout === undefined) throw ERR_TIMEOUT_NOT_INTEGER;
  if (timeout < 0) throw ERR_TIMEOUT_NEGATIVE;
  repl.replicas.wait(ctx, Number(numReplicas), Number(timeout));
}

/** PSYNC replid offset, and the old SYNC: the client becomes a replica. */
function psync(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (ctx.client.replicaLink !== undefined) return; // a second PSYNC on a replica's link is ignored
  ctx.server.replication.replicas.psync(ctx.client, argv);
}

/** REPLCONF option value ...: a replica describes itself (listening-port, capa...) or acknowledges. */
function replconf(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length % 2 === 0) throw ERR_SYNTAX;
  // GETACK comes from this server's primary, in the stream: the replica side answers it.
  if (argv.length === 3 && argv[1]!.toLowerCase() === 'getack') {
    ctx.server.replication.link?.sendAck();
    return;
  }
  ctx.server.replication.replicas.replconf(ctx, argv);
}

function docs(summary: string, since: string, extra: Partial<CommandDocs> = {}): CommandDocs {
  return { summary, since, group: 'server', ...extra };
}

const replicaofDocs = (since: string, extra: Partial<CommandDocs> = {}) =>
  docs('Make the server a replica of another instance, or promote it as master.', since, { complexity: 'O(1)', ...extra });

export const replicationCommands = family(undefined, [
  {
    name: 'replicaof', arity: 3, flags: ['admin', 'noscript', 'stale', 'no_async_loading'],
    docs: replicaofDocs('5.0.0'), handler: replicaof,
  },
  {
    name: 'slaveof', arity: 3, flags: ['admin', 'noscript', 'stale', 'no_async_loading'],
    docs: replicaofDocs('1.0.0', { docFlags: ['deprecated'], deprecatedSince: '5.0.0', replacedBy: '`REPLICAOF`' }),
    handler: replicaof,
  },
  {
    name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], acl: ['admin', 'dangerous'],
    docs: docs('Return the role of the instance in the context of replication', '2.8.12', { complexity: 'O(1)' }), handler: role,
  },
  {
    name: 'wait', arity: 3, flags: ['noscript'], acl: ['connection'],
    tips: ['request_policy:all_shards', 'response_policy:agg_min'],
    docs: {
      summary: 'Wait for the synchronous replication of all the write commands sent in the context of the current connection',
      since: '3.0.0', group: 'generic', complexity: 'O(1)',
    },
    handler: wait,
  },
  {
    name: 'psync', arity: -3, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
    docs: docs('Internal command used for replication', '2.8.0'), handler: psync,
  },
  {
    name: 'sync', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
    docs: docs('Internal command used for replication', '1.0.0'), handler: psync,
  },
  {
    name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'],
    docs: docs('An internal command for configuring the replication stream', '3.0.0', { complexity: 'O(1)', docFlags: ['syscmd'] }),
    handler: replconf,
  },
]);
