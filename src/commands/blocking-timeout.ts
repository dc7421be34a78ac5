/**
 * Timeout arguments. The blocking commands' (BLPOP, BLMOVE, BZPOPMIN, BLMPOP...): seconds as
 * a float, 0 = wait forever. Mirrors redis timeout.c getTimeoutFromObjectOrReply() with
 * UNIT_SECONDS: parsed as a long double, scaled to milliseconds and truncated to a 64-bit integer
 * the way x86-64 does (a value too large for it, or infinite, becomes the most negative integer,
 * hence "timeout is negative" for "inf" or "1e400").
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseI64, parseLongDoubleNumber } from '../keyspace/bytes.js';
import type { CommandContext } from './command-spec.js';
import { replyError } from '../protocol/reply-errors.js';

const ERR_TIMEOUT_NOT_FLOAT = replyError('ERR timeout is not a float or out of range');
export const ERR_TIMEOUT_NOT_INTEGER = replyError('ERR timeout is not an integer or out of range');
export const ERR_TIMEOUT_NEGATIVE = replyError('ERR timeout is negative');

/** 2^63: the first milliseconds value a signed 64-bit integer cannot hold. */
const I64_LIMIT = 2 ** 63;

/** The deadline (unix ms) a timeout argument gives, or 0 for "forever". */
export function blockingDeadline(ctx: CommandContext, arg: Bytes): number {
  const seconds = parseLongDoubleNumber(arg);
  if (seconds === undefined) throw ERR_TIMEOUT_NOT_FLOAT;
  const scaled = seconds * 1000;
  const ms = Math.abs(scaled) >= I64_LIMIT ? -I64_LIMIT : Math.trunc(scaled);
  if (ms < 0) throw ERR_TIMEOUT_NEGATIVE;
  // COMPAT: Redis adds the timeout to the clock in 64 bits (overflowing past year 292 million);
  // here the deadline is a double, which only loses sub-millisecond precision beyond 2^53.
  return ms === 0 ? 0 : ctx.now + ms;
}

/**
 * A timeout in milliseconds as an integer (CLIENT PAUSE; getTimeoutFromObjectOrReply with
 * UNIT_MILLISECONDS): the deadline it gives (unix ms), or 0 for a timeout of 0.
 */
export function millisecondsDeadline(ctx: CommandContext, arg: Bytes): number {
  const ms = parseI64(arg);
  if (ms === undefined) throw ERR_TIMEOUT_NOT_INTEGER;
  if (ms < 0) throw ERR_TIMEOUT_NEGATIVE;
  // COMPAT: past 2^53 ms (285,000 years) the deadline is a double, rounded.
  return ms === 0 ? 0 : ctx.now + Number(ms);
}
