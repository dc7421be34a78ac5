/**
 * CLIENT: the container command for connection introspection and per-connection settings —
 * ID SETNAME GETNAME SETINFO LIST INFO KILL REPLY NO-EVICT NO-TOUCH HELP, and the client-side
 * caching settings TRACKING CACHING GETREDIR TRACKINGINFO (handlers in client-tracking-commands.ts,
 * the registry in src/tracking.ts).
 * Mirrors redis networking.c clientCommand() and catClientInfoString() (the CLIENT LIST line).
 *
 * The container itself carries no category but @slow, as in Redis; each subcommand adds
 * @connection. SETINFO and NO-TOUCH are Redis 7.2 subcommands, accepted because ioredis 6 and
 * node-redis send CLIENT SETINFO on connect. CLIENT REPLY only sets client.replyMode: the
 * dispatcher drops the replies it suppresses.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseI64 } from '../keyspace/bytes.js';
import type { Client } from '../client.js';
import type { CommandContext, CommandSpecInput } from './command-spec.js';
import { family } from './command-table.js';
import { validClientName } from './connection-commands.js';
import { intArg } from './arg-cursor.js';
import { clientCaching, clientGetredir, clientTracking, clientTrackinginfo } from './client-tracking-commands.js';
import { millisecondsDeadline } from './blocking-timeout.js';
import type { PauseMode } from '../client-pause.js';
import { ERR_CLIENT_NAME, ERR_SYNTAX, replyError, subcommandSyntax } from '../protocol/reply-errors.js';

const ERR_NO_SUCH_CLIENT = replyError('ERR No such client');
const ERR_INVALID_CLIENT_ID = replyError('ERR Invalid client ID');
const ERR_KILL_CLIENT_ID = replyError('ERR client-id should be greater than 0');

/** Error texts carry user input: CR/LF become spaces, as Redis's addReplyErrorFormat does. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}

// ---- Client types and the CLIENT LIST line ----

/** Redis's client types (getClientType), by the names CLIENT LIST/KILL TYPE accept. */
type ClientType = 'normal' | 'replica' | 'master' | 'pubsub';

/** TYPE normal|master|replica|slave|pubsub (case-insensitive), or "Unknown client type". */
function parseClientType(b: Bytes): ClientType {
  const t = b.toLowerCase();
  if (t === 'normal' || t === 'master' || t === 'replica' || t === 'pubsub') return t;
  if (t === 'slave') return 'replica';
  throw replyError(oneLine(`ERR Unknown client type '${b}'`));
}

/**
 * The type of a connection: master for the link that applies this replica's primary's stream,
 * replica for a replica of this server, pubsub while it has a subscription, else normal (a
 * MONITOR client is normal too, as in Redis).
 */
function clientType(c: Client): ClientType {
  if (c.fromPrimary) return 'master';
  if (c.replicaLink !== undefined) return 'replica';
  return c.pubsub !== undefined ? 'pubsub' : 'normal';
}

/** CLIENT LIST flags: one letter per state that applies now, or N for none. */
function clientFlags(c: Client): string {
  let f = '';
  if (c.replicaLink !== undefined) f += 'S';
  if (c.fromPrimary) f += 'M';
  if (c.monitor) f += 'O';
  if (c.pubsub !== undefined) f += 'P';
  if (c.multi !== undefined) f += 'x';
  if (c.blocked !== undefined || c.postponed) f += 'b';
  if (c.tracking !== undefined) {
    f += 't';
    if (c.tracking.brokenRedirect) f += 'R';
    if (c.tracking.bcast) f += 'B';
  }
  if (c.dirtyCas) f += 'd';
  if (c.unixPath !== undefined) f += 'U';
  if (c.closing) f += 'c';
  if (c.noEvict) f += 'e';
  // 7.2's letter for CLIENT NO-TOUCH, which Kioku accepts as 7.2 does.
  if (c.noTouch) f += 'T';
  return f === '' ? 'N' : f;
}

/** Bytes held by queued MULTI commands, counted as Redis 7.0 does: argument bytes + a pointer per argument. */
function multiMem(c: Client): number {
  let n = 0;
  for (const q of c.multi?.queue ?? []) for (const a of q.argv) n += a.length + 8;
  return n;
}

/** The socket's file descriptor where Node exposes it (Unix TCP handles), else -1 as Redis shows for fake clients. */
function socketFd(c: Client): number {
  const handle = (c.socket as unknown as { _handle?: { fd?: unknown } })._handle;
  return typeof handle?.fd === 'number' ? handle.fd : -1;
}

/** Bytes of argv encoded as a RESP multibulk ("*2\r\n$6\r\nclient\r\n$4\r\nlist\r\n" = 26). */
function multibulkSize(argv: readonly Bytes[]): number {
  let n = 3 + String(argv.length).length;
  for (const a of argv) n += 5 + String(a.length).length + a.length;
  return n;
}

/**
 * One CLIENT LIST / CLIENT INFO line, fields in Redis 7.0's order, ending in "\n".
 * `argv` is the running command's arguments when c is the caller (argv-mem).
 */
function clientInfoLine(c: Client, now: number, argv?: readonly Bytes[]): Bytes {
  // The running command's args, or those read so far of a command still arriving.
  const argvMem = argv ? argv.reduce((n, a) => n + a.length, 0) : c.pendingArgBytes;
  // Redis keeps the running command in the query buffer until it returns: count it as sent.
  const qbuf = c.queryBufferBytes + (argv ? multibulkSize(argv) : 0);
  const gathered = c.writer.pendingBytes;
  // A replica's unsent stream includes the bytes held while its RDB is on the way.
  const unsent = c.isClosed ? 0 : c.replicaLink !== undefined ? c.replicaLink.outputBytes : c.socket.writableLength;
  // COMPAT: Kioku has no fixed per-client reply buffer or reply list: replies gathered in this
  // batch show as obl, bytes the socket has not sent yet as omem; rbs/rbp/qbuf-free are 0.
  const fields = [
    `id=${c.id}`,
    `addr=${c.remoteAddress}`,
    `laddr=${c.localAddress}`,
    `fd=${socketFd(c)}`,
    `name=${c.name}`,
    `age=${Math.floor((now - c.createdAt) / 1000)}`,
    `idle=${Math.floor((now - c.lastInteraction) / 1000)}`,
    `flags=${clientFlags(c)}`,
    `db=${c.db.index}`,
    // No MULTI in Kioku yet: no transaction.
    `sub=${c.pubsub?.channels.size ?? 0}`,
    `psub=${c.pubsub?.patterns.size ?? 0}`,
    `ssub=${c.pubsub?.shardChannels.size ?? 0}`,
    `multi=${c.multi?.queue.length ?? -1}`,
    `qbuf=${qbuf}`,
    'qbuf-free=0',
    `argv-mem=${argvMem}`,
    `multi-mem=${multiMem(c)}`,
    'rbs=0',
    'rbp=0',
    `obl=${gathered}`,
    'oll=0',
    `omem=${unsent}`,
    `tot-mem=${qbuf + argvMem + gathered + unsent}`,
    `events=${unsent > 0 ? 'rw' : 'r'}`,
    `cmd=${c.lastCommand}`,
    `user=${c.user}`,
    `redir=${c.tracking?.redirect ?? -1}`,
    `resp=${c.protocol}`,
  ];
  return fields.join(' ') + '\n';
}

/** The CLIENT LIST line of a client without its newline, for log lines (Redis catClientInfoString). */
export function clientInfoString(c: Client): string {
  return clientInfoLine(c, Date.now()).slice(0, -1);
}

// ---- Subcommands ----

/** CLIENT ID → the connection's id. */
function clientId(ctx: CommandContext): void {
  ctx.reply.integer(ctx.client.id);
}

/** CLIENT SETNAME name → OK; an empty name removes it. Printable ASCII without spaces only. */
function clientSetname(ctx: CommandContext, argv: readonly Bytes[]): void {
  const name = argv[2]!;
  if (!validClientName(name)) throw ERR_CLIENT_NAME;
  ctx.client.name = name;
  ctx.reply.ok();
}

/** CLIENT GETNAME → the name, or null when none is set. */
function clientGetname(ctx: CommandContext): void {
  ctx.reply.bulk(ctx.client.name === '' ? null : ctx.client.name);
}

/**
 * CLIENT SETINFO LIB-NAME|LIB-VER value → OK (Redis 7.2). An empty value clears it. Redis 7.0
 * does not show these in CLIENT LIST, so neither does Kioku; they are kept on the client.
 */
function clientSetinfo(ctx: CommandContext, argv: readonly Bytes[]): void {
  const attr = argv[2]!;
  const value = argv[3]!;
  const which = attr.toLowerCase();
  if (which !== 'lib-name' && which !== 'lib-ver') throw replyError(oneLine(`ERR Unrecognized option '${attr}'`));
  if (!validClientName(value)) {
    throw replyError(oneLine(`ERR ${attr} cannot contain spaces, newlines or special characters.`));
  }
  if (which === 'lib-name') ctx.client.libName = value;
  else ctx.client.libVer = value;
  ctx.reply.ok();
}

/** CLIENT LIST [TYPE type | ID id [id ...]] → one line per connection (verbatim text in RESP3). */
function clientList(ctx: CommandContext, argv: readonly Bytes[]): void {
  const server = ctx.server;
  const now = Date.now();
  const line = (c: Client) => clientInfoLine(c, now, c === ctx.client ? argv : undefined);
  let out = '';
  const option = argv.length >= 4 ? argv[2]!.toLowerCase() : '';
  if (argv.length === 2) {
    for (const c of server.clients.values()) out += line(c);
  } else if (argv.length === 4 && option === 'type') {
    const type = parseClientType(argv[3]!);
    for (const c of server.clients.values()) if (clientType(c) === type) out += line(c);
  } else if (option === 'id') {
    // All ids are parsed before anything is listed; unknown ids are skipped.
    const ids = argv.slice(3).map((a) => {
      const id = parseI64(a);
      if (id === undefined) throw ERR_INVALID_CLIENT_ID;
      return id;
    });
    for (const id of ids) {
      const c = typeof id === 'number' ? server.clients.get(id) : undefined;
      if (c !== undefined) out += line(c);
    }
  } else {
    throw ERR_SYNTAX;
  }
  ctx.reply.verbatim(out);
}

/** CLIENT INFO → this connection's CLIENT LIST line. */
function clientInfo(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.verbatim(clientInfoLine(ctx.client, Date.now(), argv));
}

/** Which connections CLIENT KILL closes. */
interface KillFilter {
  id?: number;
  type?: ClientType;
  user?: Bytes;
  addr?: Bytes;
  laddr?: Bytes;
  skipMe: boolean;
}

/** The `<option> <value>` pairs of CLIENT KILL's new form. */
function parseKillFilter(argv: readonly Bytes[]): KillFilter {
  const filter: KillFilter = { skipMe: true };
  for (let i = 2; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) throw ERR_SYNTAX;
    const option = argv[i]!.toLowerCase();
    const value = argv[i + 1]!;
    if (option === 'id') {
      const id = parseI64(value);
      if (id === undefined || id <= 0) throw ERR_KILL_CLIENT_ID;
      filter.id = Number(id);
    } else if (option === 'type') {
      filter.type = parseClientType(value);
    } else if (option === 'user') {
      // Until ACL users exist, the default user is the only one.
      if (value !== 'default') throw replyError(oneLine(`ERR No such user '${value}'`));
      filter.user = value;
    } else if (option === 'addr') {
      filter.addr = value;
    } else if (option === 'laddr') {
      filter.laddr = value;
    } else if (option === 'skipme') {
      const v = value.toLowerCase();
      if (v !== 'yes' && v !== 'no') throw ERR_SYNTAX;
      filter.skipMe = v === 'yes';
    } else {
      throw ERR_SYNTAX;
    }
  }
  return filter;
}

function killMatches(f: KillFilter, c: Client, self: Client): boolean {
  if (f.addr !== undefined && c.remoteAddress !== f.addr) return false;
  if (f.laddr !== undefined && c.localAddress !== f.laddr) return false;
  if (f.type !== undefined && clientType(c) !== f.type) return false;
  if (f.id !== undefined && c.id !== f.id) return false;
  if (f.user !== undefined && c.user !== f.user) return false;
  if (f.skipMe && c === self) return false;
  return true;
}

/**
 * CLIENT KILL ip:port → OK or "No such client" (old form, may close the caller).
 * CLIENT KILL [ID id] [TYPE type] [USER user] [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no]
 * → the number of connections closed. The caller, when killed, is closed after this reply.
 */
function clientKill(ctx: CommandContext, argv: readonly Bytes[]): void {
  const self = ctx.client;
  const oldForm = argv.length === 3;
  const filter: KillFilter = oldForm ? { addr: argv[2]!, skipMe: false } : parseKillFilter(argv);
  let killed = 0;
  for (const c of [...ctx.server.clients.values()]) {
    if (!killMatches(filter, c, self)) continue;
    killed++;
    if (c === self) self.closeAfterReply();
    else c.close();
  }
  if (!oldForm) ctx.reply.integer(killed);
  else if (killed === 0) throw ERR_NO_SUCH_CLIENT;
  else ctx.reply.ok();
}

/**
 * CLIENT REPLY ON|OFF|SKIP. ON answers OK; OFF and SKIP answer nothing. SKIP drops the next
 * command's reply; it does nothing while replies are OFF.
 */
function clientReply(ctx: CommandContext, argv: readonly Bytes[]): void {
  const mode = argv[2]!.toLowerCase();
  const client = ctx.client;
  if (mode === 'on') {
    client.replyMode = 'on';
    ctx.reply.ok();
  } else if (mode === 'off') {
    client.replyMode = 'off';
  } else if (mode === 'skip') {
    if (client.replyMode !== 'off') client.replyMode = 'skip';
  } else {
    throw ERR_SYNTAX;
  }
}

/** ON / OFF (case-insensitive) → boolean, else syntax error. */
function onOff(b: Bytes): boolean {
  const v = b.toLowerCase();
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw ERR_SYNTAX;
}

/** CLIENT NO-EVICT ON|OFF → OK: exempt this connection from client eviction (maxmemory-clients). */
function clientNoEvict(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.client.noEvict = onOff(argv[2]!);
  ctx.reply.ok();
}

/** CLIENT NO-TOUCH ON|OFF → OK (Redis 7.2): this connection's reads leave keys' LRU/LFU alone. */
function clientNoTouch(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.client.noTouch = onOff(argv[2]!);
  ctx.reply.ok();
}

const ERR_UNBLOCK_REASON = replyError('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
const UNBLOCKED = replyError('UNBLOCKED client unblocked via CLIENT UNBLOCK');

/**
 * CLIENT UNBLOCK id [TIMEOUT|ERROR] → 1 if that client was blocked (BLPOP...) and is now
 * released, 0 otherwise. TIMEOUT (the default) gives it the reply of a timeout; ERROR, the
 * UNBLOCKED error.
 */
function clientUnblock(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length > 4) throw subcommandSyntax(argv[1]!, 'client');
  const id = intArg(argv[2]!);
  const reason = argv.length === 4 ? argv[3]!.toLowerCase() : 'timeout';
  if (reason !== 'timeout' && reason !== 'error') throw ERR_UNBLOCK_REASON;
  const target = ctx.server.clients.get(id);
  const unblocked =
    target !== undefined &&
    ctx.server.blocking.cancel(target, (state) => {
      if (reason === 'error') {
        ctx.server.countError(UNBLOCKED.code);
        state.client.writer.error(UNBLOCKED);
      } else {
        state.request.onTimeout(state.client.writer);
      }
    });
  ctx.reply.integer(unblocked ? 1 : 0);
}

const ERR_PAUSE_MODE = replyError('ERR CLIENT PAUSE mode must be WRITE or ALL');

/** CLIENT PAUSE timeout [WRITE|ALL]: holds back clients' commands (client-pause.ts). */
function clientPause(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length > 4) throw subcommandSyntax(argv[1]!, 'client');
  let mode: PauseMode = 'all';
  if (argv.length === 4) {
    const word = argv[3]!.toLowerCase();
    if (word !== 'write' && word !== 'all') throw ERR_PAUSE_MODE;
    mode = word;
  }
  ctx.server.pause.pause(mode, millisecondsDeadline(ctx, argv[2]!));
  ctx.reply.ok();
}

/** CLIENT UNPAUSE: the pause ends now; the commands it held back run. */
function clientUnpause(ctx: CommandContext): void {
  ctx.server.pause.unpause();
  ctx.reply.ok();
}

/** Redis 7.0's CLIENT HELP, keeping the subcommands Kioku has, plus 7.2's SETINFO and NO-TOUCH. */
const HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'NO-TOUCH (ON|OFF)',
  '    Will not touch LRU/LFU stats when this mode is on.',
  'HELP',
  '    Prints this help.',
];

/** CLIENT HELP → the lines above as status replies. */
function clientHelp(ctx: CommandContext): void {
  ctx.reply.simpleArray(HELP);
}

// ---- The table ----

function docs(summary: string, since: string, complexity = 'O(1)') {
  return { summary, since, group: 'connection', complexity };
}

const base = ['noscript', 'loading', 'stale'] as const;
const admin = ['admin', 'noscript', 'loading', 'stale'] as const;
const listOrder = 'O(N) where N is the number of client connections';

/** A CLIENT subcommand: each carries @connection (the container does not). */
function sub(spec: CommandSpecInput): CommandSpecInput {
  return { ...spec, acl: ['connection'] };
}

const subcommands: CommandSpecInput[] = [
  sub({ name: 'help', arity: 2, flags: ['loading', 'stale'], docs: docs('Show helpful text about the different subcommands', '5.0.0'), handler: clientHelp }),
  sub({ name: 'id', arity: 2, flags: [...base], docs: docs('Returns the client ID for the current connection', '5.0.0'), handler: clientId }),
  sub({
    name: 'info', arity: 2, flags: [...base], tips: ['nondeterministic_output'],
    docs: docs('Returns information about the current client connection.', '6.2.0'), handler: clientInfo,
  }),
  sub({ name: 'getname', arity: 2, flags: [...base], docs: docs('Get the current connection name', '2.6.9'), handler: clientGetname }),
  sub({ name: 'setname', arity: 3, flags: [...base], docs: docs('Set the current connection name', '2.6.9'), handler: clientSetname }),
  sub({
    name: 'setinfo', arity: 4, flags: [...base],
    docs: docs('Sets information specific to the client or connection.', '7.2.0'), handler: clientSetinfo,
  }),
  sub({ name: 'kill', arity: -3, flags: [...admin], docs: docs('Kill the connection of a client', '2.4.0', listOrder), handler: clientKill }),
  sub({
    name: 'list', arity: -2, flags: [...admin], tips: ['nondeterministic_output'],
    docs: docs('Get the list of client connections', '2.4.0', listOrder), handler: clientList,
  }),
  sub({ name: 'pause', arity: -3, flags: [...admin], docs: docs('Stop processing commands from clients for some time', '2.9.50'), handler: clientPause }),
  sub({
    name: 'unpause', arity: 2, flags: [...admin],
    docs: docs('Resume processing of clients that were paused', '6.2.0', 'O(N) Where N is the number of paused clients'),
    handler: clientUnpause,
  }),
  sub({ name: 'reply', arity: 3, flags: [...base], docs: docs('Instruct the server whether to reply to commands', '3.2.0'), handler: clientReply }),
  sub({
    name: 'unblock', arity: -3, flags: [...admin],
    docs: docs('Unblock a client blocked in a blocking command from a different connection', '5.0.0',
      'O(log N) where N is the number of client connections'),
    handler: clientUnblock,
  }),
  sub({ name: 'no-evict', arity: 3, flags: [...admin], docs: docs('Set client eviction mode for the current connection', '7.0.0'), handler: clientNoEvict }),
  sub({
    name: 'no-touch', arity: 3, flags: [...base],
    docs: docs('Controls whether commands sent by the client affect the LRU/LFU of accessed keys.', '7.2.0'), handler: clientNoTouch,
  }),
  sub({
    name: 'tracking', arity: -3, flags: [...base],
    docs: docs('Enable or disable server assisted client side caching support', '6.0.0', 'O(1). Some options may introduce additional complexity.'),
    handler: clientTracking,
  }),
  sub({ name: 'caching', arity: 3, flags: [...base], docs: docs('Instruct the server about tracking or not keys in the next request', '6.0.0'), handler: clientCaching }),
  sub({ name: 'getredir', arity: 2, flags: [...base], docs: docs('Get tracking notifications redirection client ID if any', '6.0.0'), handler: clientGetredir }),
  sub({
    name: 'trackinginfo', arity: 2, flags: [...base],
    docs: docs('Return information about server assisted client side caching for the current connection', '6.2.0'),
    handler: clientTrackinginfo,
  }),
];

// No family category: Redis shows the CLIENT container with @slow only.
export const clientCommands = family(undefined, [
  {
    name: 'client', arity: -2, flags: [],
    docs: { summary: 'A container for client connection commands', since: '2.4.0', group: 'connection', complexity: 'Depends on subcommand.' },
    subcommands,
  },
]);
