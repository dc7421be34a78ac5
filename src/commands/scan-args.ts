/**
 * The arguments shared by SCAN, HSCAN, SSCAN and ZSCAN, and the pattern filter they apply.
 * Mirrors redis db.c scanGenericCommand()'s option loop.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { globMatch } from '../keyspace/glob.js';
import { parseScanCursor } from '../keyspace/scan-cursors.js';
import { intArg } from './arg-cursor.js';
import { ERR_INVALID_CURSOR, ERR_SYNTAX } from '../protocol/reply-errors.js';

export interface ScanArgs {
  /** The cursor as a canonical unsigned decimal ("0" starts an iteration). */
  cursor: string;
  /** COUNT: how many elements to visit in this call (default 10). */
  count: number;
  /** MATCH's test, or undefined when every element matches. */
  match: ((item: Bytes) => boolean) | undefined;
  /** TYPE (SCAN only), lowercased. */
  type: string | undefined;
}

/**
 * Reads `cursor [MATCH pattern] [COUNT count] [TYPE type]` starting at argv[cursorIndex]. TYPE is
 * accepted only when `allowType` (SCAN); elsewhere it is a syntax error, as in Redis.
 */
export function readScanArgs(argv: readonly Bytes[], cursorIndex: number, allowType: boolean): ScanArgs {
  const cursor = parseScanCursor(argv[cursorIndex]!);
  if (cursor === undefined) throw ERR_INVALID_CURSOR;
  const out: ScanArgs = { cursor, count: 10, match: undefined, type: undefined };
  for (let i = cursorIndex + 1; i < argv.length; i += 2) {
    const opt = argv[i]!.toLowerCase();
    if (i + 1 >= argv.length) throw ERR_SYNTAX;
    const value = argv[i + 1]!;
    if (opt === 'count') {
      out.count = intArg(value);
      if (out.count < 1) throw ERR_SYNTAX;
    } else if (opt === 'match') {
      out.match = matcher(value);
    } else if (opt === 'type' && allowType) {
      out.type = value.toLowerCase();
    } else {
      throw ERR_SYNTAX;
    }
  }
  return out;
}

/** A glob's test; undefined for a lone "*", which Redis does not even match against. */
export function matcher(pattern: Bytes | undefined): ((item: Bytes) => boolean) | undefined {
  if (pattern === undefined || pattern === '*') return undefined;
  return (item) => globMatch(pattern, item);
}
