/**
 * DUMP and RESTORE (and RESTORE-ASKING, RESTORE under its cluster-migration name): a key's value
 * as an RDB payload and back (persistence/dump-payload.ts). Payloads move both ways between
 * Kioku and Redis 7.0. Mirrors redis cluster.c dumpCommand / restoreCommand.
 *
 * RESTORE checks, in Redis's order: the options (REPLACE, ABSTTL, IDLETIME s, FREQ n — IDLETIME
 * and FREQ exclude each other), BUSYKEY, the TTL, the payload's version and checksum, then the
 * value itself ("Bad data format"). A relative TTL is propagated as the absolute time with
 * ABSTTL, as Redis does; a TTL already past stores nothing (a key it REPLACEd is deleted and that
 * is propagated as DEL). IDLETIME applies under LRU (non-LFU) policies and FREQ under LFU ones,
 * each through the keyspace's access tracker.
 *
 * COMPAT: Kioku always validates a payload completely (as sanitize-dump-payload yes would), so a
 * damaged payload is refused with "Bad data format" where Redis's default may accept it.
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { CommandContext, CommandDocs, CommandSpecInput } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { int64Arg } from './arg-cursor.js';
import { lfuPolicy, tracker } from './object-command.js';
import { decodeDumpValue, encodeDump, verifyDumpPayload } from '../persistence/dump-payload.js';
import { RdbFormatError } from '../persistence/rdb-values.js';
import type { RedisValue } from '../keyspace/redis-value.js';
import {
  BUSYKEY,
  ERR_BAD_DATA_FORMAT,
  ERR_DUMP_PAYLOAD,
  ERR_INVALID_FREQ,
  ERR_INVALID_IDLETIME,
  ERR_INVALID_TTL,
  ERR_SYNTAX,
} from '../protocol/reply-errors.js';

const INT64_MAX = 9223372036854775807n;

/** DUMP key → the serialized value (RDB payload), nil when the key is missing. */
function dump(ctx: CommandContext, argv: readonly Bytes[]): void {
  const v = ctx.db.getForRead(argv[1]!);
  if (v === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  ctx.reply.bulk(encodeDump(v, ctx.server.config.getBool('rdbcompression')).toString('latin1'));
}

/** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] → OK. */
function restore(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let i = 4; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    const more = i + 1 < argv.length;
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'absttl') {
      absttl = true;
    } else if (opt === 'idletime' && more && freq === -1) {
      const v = int64Arg(argv[++i]!);
      if (v < 0) throw ERR_INVALID_IDLETIME;
      idle = Number(v);
    } else if (opt === 'freq' && more && idle === -1) {
      const v = int64Arg(argv[++i]!);
      if (v < 0 || v > 255) throw ERR_INVALID_FREQ;
      freq = Number(v);
    } else {
      throw ERR_SYNTAX;
    }
  }
  const db = ctx.db;
  if (!replace && db.peek(key) !== undefined) throw BUSYKEY;
  const ttl = BigInt(int64Arg(argv[2]!));
  if (ttl < 0n) throw ERR_INVALID_TTL;
  const payload = Buffer.from(argv[3]!, 'latin1');
  if (!verifyDumpPayload(payload)) throw ERR_DUMP_PAYLOAD;
  let value: RedisValue;
  try {
    value = decodeDumpValue(payload, ctx.server.encodingLimits);
  } catch (e) {
    if (e instanceof RdbFormatError) throw ERR_BAD_DATA_FORMAT;
    throw e;
  }

  // 0 = no TTL. A relative TTL that overflows int64 wraps negative in Redis: already expired.
  const when = ttl === 0n ? undefined : absttl ? ttl : ttl + BigInt(ctx.now);
  const deleted = replace && db.delete(key);
  if (when !== undefined && (when > INT64_MAX || when <= BigInt(ctx.now)) && !ctx.server.isReplica()) {
    if (deleted) {
      ctx.propagateAs(['DEL', key]);
      ctx.keyChanged(key);
      ctx.notify('generic', 'del', key);
    }
    ctx.reply.ok();
    return;
  }
  db.set(key, value);
  if (when !== undefined) {
    // COMPAT: kept as a JS number, exact up to 2^53 ms (as EXPIREAT); the propagated time is exact.
    db.setExpire(key, Number(when));
    if (!absttl) ctx.propagateAs([argv[0]!, key, when.toString(), ...argv.slice(3), 'ABSTTL']);
  }
  if (lfuPolicy(ctx)) {
    if (freq >= 0) tracker(ctx, 'lfu').setFrequency(key, freq, ctx.now);
  } else if (idle >= 0) {
    tracker(ctx, 'lru').setIdle(key, idle, ctx.now);
  }
  ctx.keyChanged(key);
  ctx.notify('generic', 'restore', key);
  ctx.reply.ok();
}

const RESTORE_COMPLEXITY =
  'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).';

function docs(summary: string, complexity: string, group = 'generic', docFlags?: string[]): CommandDocs {
  const d: CommandDocs = { summary, since: '2.6.0', group, complexity };
  if (docFlags !== undefined) d.docFlags = docFlags;
  return d;
}

const commands: CommandSpecInput[] = [
  {
    name: 'dump', arity: 2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1, tips: ['nondeterministic_output'],
    keySpecs: [rangeKeySpec(['RO', 'access'], 1)],
    docs: docs(
      'Return a serialized version of the value stored at the specified key.',
      'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).',
    ),
    handler: dump,
  },
  {
    name: 'restore', arity: -4, flags: ['write', 'denyoom'], acl: ['dangerous'], firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [rangeKeySpec(['OW', 'update'], 1)],
    docs: docs('Create a key using the provided serialized value, previously obtained using DUMP.', RESTORE_COMPLEXITY),
    handler: restore,
  },
  {
    name: 'restore-asking', arity: -4, flags: ['write', 'denyoom', 'asking'], acl: ['dangerous'], firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [rangeKeySpec(['OW', 'update'], 1)],
    docs: { ...docs('An internal command for migrating keys in a cluster', RESTORE_COMPLEXITY, 'server', ['syscmd']), since: '3.0.0' },
    handler: restore,
  },
];

export const dumpRestoreCommands = family('keyspace', commands);
