/**
 * ArgCursor: reads a command's arguments left to right with Redis's parsing rules and error
 * texts, so handlers validate everything before their first mutation. Mirrors redis object.c
 * getLongLongFromObjectOrReply / getDoubleFromObjectOrReply and the option loops of t_string.c.
 */
import { parseDouble, parseI64, parseInteger, type Bytes } from '../keyspace/bytes.js';
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_SYNTAX, type ReplyError } from '../protocol/reply-errors.js';

/** Parses an integer argument (int64) or throws "value is not an integer or out of range". */
export function intArg(b: Bytes, err: ReplyError = ERR_NOT_INTEGER): number {
  const v = parseInteger(b);
  if (v === undefined) throw err;
  return v;
}

/** As intArg, exact for the whole int64 range. */
export function int64Arg(b: Bytes, err: ReplyError = ERR_NOT_INTEGER): number | bigint {
  const v = parseI64(b);
  if (v === undefined) throw err;
  return v;
}

/** Parses a double argument or throws "value is not a valid float". */
export function doubleArg(b: Bytes, err: ReplyError = ERR_NOT_FLOAT): number {
  const v = parseDouble(b);
  if (v === undefined) throw err;
  return v;
}

/**
 * COMPAT: the most elements a negative count of SRANDMEMBER, HRANDFIELD or ZRANDMEMBER may ask
 * for (elements drawn with repetition). Redis accepts any count down to -LONG_MAX and writes the
 * reply until its memory runs out (redis-server 7.0.15 dies on `SRANDMEMBER s -9223372036854775807`);
 * Kioku answers "ERR value is out of range" past ten million instead.
 */
export const RANDOM_REPLY_MAX = 10_000_000;

export class ArgCursor {
  constructor(
    private readonly argv: readonly Bytes[],
    /** Index of the next argument to read. */
    public pos: number,
  ) {}

  /** Arguments left. */
  get remaining(): number {
    return this.argv.length - this.pos;
  }

  get done(): boolean {
    return this.pos >= this.argv.length;
  }

  /** The next argument as is, or ERR syntax error when there is none. */
  next(): Bytes {
    if (this.pos >= this.argv.length) throw ERR_SYNTAX;
    return this.argv[this.pos++]!;
  }

  /** The next argument lowercased (an option keyword). */
  token(): string {
    return this.next().toLowerCase();
  }
}
