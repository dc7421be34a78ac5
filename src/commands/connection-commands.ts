/**
 * Connection commands: PING ECHO QUIT SELECT HELLO AUTH RESET. (CLIENT lives in
 * client-commands.ts.) Mirrors redis server.c pingCommand/helloCommand, acl.c authCommand,
 * networking.c resetCommand/quitCommand.
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { CommandContext } from './command-spec.js';
import { family } from './command-table.js';
import { ArgCursor, intArg } from './arg-cursor.js';
import { REDIS_VERSION } from '../version.js';
import {
  ERR_AUTH_NOPASS,
  ERR_CLIENT_NAME,
  ERR_DB_INDEX,
  ERR_SYNTAX,
  NOPROTO,
  WRONGPASS,
  replyError,
  wrongArity,
} from '../protocol/reply-errors.js';

const ERR_PROTOVER = replyError('ERR Protocol version is not an integer or out of range');

function docs(summary: string, since: string, complexity = 'O(1)') {
  return { summary, since, group: 'connection', complexity };
}

/**
 * PING [message] → PONG, or the message as a bulk string. A RESP2 client in subscribed mode gets
 * ["pong", message or ""] instead (Redis 7.0).
 */
function ping(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length > 2) throw wrongArity('ping');
  if (ctx.client.pubsub !== undefined && ctx.client.protocol === 2) {
    ctx.reply.bulkArray(['pong', argv[1] ?? '']);
    return;
  }
  if (argv.length === 1) ctx.reply.simple('PONG');
  else ctx.reply.bulk(argv[1]);
}

/** ECHO message → message. */
function echo(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.bulk(argv[1]);
}

/** QUIT → +OK, then the connection closes once the reply is written. */
function quit(ctx: CommandContext): void {
  ctx.reply.ok();
  ctx.client.closeAfterReply();
}

/** SELECT index → +OK, or "DB index is out of range". */
function select(ctx: CommandContext, argv: readonly Bytes[]): void {
  const index = intArg(argv[1]!);
  const db = ctx.server.db(index);
  if (db === undefined) throw ERR_DB_INDEX;
  ctx.client.select(db);
  ctx.reply.ok();
}

/** Checks a username/password pair against requirepass (the default user, until ACLs). */
function checkPassword(ctx: CommandContext, user: Bytes, pass: Bytes): boolean {
  const required = ctx.server.config.get('requirepass');
  if (user !== 'default') return false;
  return required === '' || pass === required;
}

/** AUTH [username] password → +OK, or WRONGPASS. */
function auth(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length > 3) throw ERR_SYNTAX;
  if (argv.length === 2 && !ctx.server.requiresAuth()) throw ERR_AUTH_NOPASS;
  const [user, pass] = argv.length === 3 ? [argv[1]!, argv[2]!] : ['default', argv[1]!];
  if (!checkPassword(ctx, user, pass)) throw WRONGPASS;
  ctx.client.authenticated = true;
  ctx.client.user = user;
  ctx.reply.ok();
}

/**
 * HELLO [protover [AUTH username password] [SETNAME clientname]] → the server map, in the
 * protocol just chosen: server, version, proto, id, mode, role, modules.
 */
function hello(ctx: CommandContext, argv: readonly Bytes[]): void {
  const args = new ArgCursor(argv, 1);
  let protocol: 2 | 3 = ctx.client.protocol;
  if (!args.done) {
    const v = args.next();
    const n = intArg(v, ERR_PROTOVER);
    if (n !== 2 && n !== 3) throw NOPROTO;
    protocol = n;
  }
  let credentials: [Bytes, Bytes] | undefined;
  let name: Bytes | undefined;
  while (!args.done) {
    const opt = args.token();
    if (opt === 'auth' && args.remaining >= 2) {
      credentials = [args.next(), args.next()];
    } else if (opt === 'setname' && args.remaining >= 1) {
      name = args.next();
    } else {
      throw replyError(`ERR Syntax error in HELLO option '${argv[args.pos - 1]}'`);
    }
  }
  if (credentials) {
    if (!checkPassword(ctx, credentials[0], credentials[1])) throw WRONGPASS;
    ctx.client.authenticated = true;
    ctx.client.user = credentials[0];
  }
  if (!ctx.client.authenticated) {
    throw replyError('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
  }
  if (name !== undefined) {
    if (!validClientName(name)) throw ERR_CLIENT_NAME;
    ctx.client.name = name;
  }
  ctx.client.writer.protocol = protocol;
  const r = ctx.reply;
  r.mapHeader(7);
  r.bulk('server');
  r.bulk('redis');
  r.bulk('version');
  r.bulk(REDIS_VERSION);
  r.bulk('proto');
  r.integer(protocol);
  r.bulk('id');
  r.integer(ctx.client.id);
  r.bulk('mode');
  r.bulk('standalone');
  r.bulk('role');
  r.bulk('master');
  r.bulk('modules');
  r.arrayHeader(0);
}

/** Client names are printable ASCII without spaces (Redis validateClientName). */
export function validClientName(name: Bytes): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/** RESET → +RESET: the connection returns to its state right after connecting. */
function reset(ctx: CommandContext): void {
  ctx.client.reset();
  ctx.reply.simple('RESET');
}

const connectionFlags = ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'] as const;

export const connectionCommands = family('connection', [
  {
    name: 'ping', arity: -1, flags: ['fast'], tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    docs: docs('Ping the server', '1.0.0'), handler: ping,
  },
  { name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], docs: docs('Echo the given string', '1.0.0'), handler: echo },
  { name: 'quit', arity: -1, flags: [...connectionFlags], docs: docs('Close the connection', '1.0.0'), handler: quit },
  { name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], docs: docs('Change the selected database for the current connection', '1.0.0'), handler: select },
  { name: 'hello', arity: -1, flags: [...connectionFlags], docs: docs('Handshake with Redis', '6.0.0'), handler: hello },
  { name: 'auth', arity: -2, flags: [...connectionFlags], docs: docs('Authenticate to the server', '1.0.0', 'O(N) where N is the number of passwords defined for the user'), handler: auth },
  { name: 'reset', arity: 1, flags: [...connectionFlags], docs: docs('Reset the connection', '6.2.0'), handler: reset },
]);
