/**
 * Redis-compatible glob matching (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET), byte-wise:
 *   *        any run of bytes          ?       exactly one byte
 *   [abc]    one of the set            [^abc]  none of the set     [a-z]  a range (either order)
 *   \x       the byte x literally (also inside [...])
 * Mirrors redis util.c stringmatchlen() in behaviour, with an iterative algorithm: each token
 * other than '*' consumes exactly one byte, so remembering only the last '*' is enough; the work
 * is at most pattern length × text length, and no pattern can make it backtrack exponentially.
 *
 * Two of Redis's quirks are kept because KEYS, SCAN and PSUBSCRIBE show them (checked against
 * redis-server 7.0.15): an empty text matches only the empty pattern ("*" does not match ""; KEYS
 * and SCAN special-case a lone "*" themselves), and a pattern that needs more than
 * MAX_STAR_NESTING '*' groups followed by more pattern never matches (Redis's recursion limit).
 */
import type { Bytes } from './bytes.js';

/** Redis gives up past this many nested '*' (each '*' group followed by more pattern is one). */
const MAX_STAR_NESTING = 1000;

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/**
 * Matches one non-'*' token of the pattern at p against byte c. Returns the index after the
 * token when it matches, -(index after the token) - 1 when it does not.
 */
function matchToken(pattern: string, p: number, c: number, nocase: boolean): number {
  const pc = pattern.charCodeAt(p);
  if (nocase) c = lower(c);
  if (pc === 63 /* ? */) return p + 1;
  if (pc === 91 /* [ */) {
    let i = p + 1;
    const not = pattern.charCodeAt(i) === 94; /* ^ */
    if (not) i++;
    let match = false;
    for (;;) {
      if (i >= pattern.length) {
        i = pattern.length; // an unterminated class ends the pattern (as Redis)
        break;
      }
      const x = pattern.charCodeAt(i);
      if (x === 93 /* ] */) {
        i++;
        break;
      }
      if (x === 92 /* \ */ && i + 1 < pattern.length) {
        i++;
        if ((nocase ? lower(pattern.charCodeAt(i)) : pattern.charCodeAt(i)) === c) match = true;
      } else if (i + 2 < pattern.length && pattern.charCodeAt(i + 1) === 45 /* - */) {
        let start = pattern.charCodeAt(i);
        let end = pattern.charCodeAt(i + 2);
        if (start > end) [start, end] = [end, start];
        if (nocase) {
          start = lower(start);
          end = lower(end);
        }
        if (c >= start && c <= end) match = true;
        i += 2;
      } else if ((nocase ? lower(x) : x) === c) {
        match = true;
      }
      i++;
    }
    if (not) match = !match;
    return match ? i : -i - 1;
  }
  let i = p;
  let lit = pc;
  if (pc === 92 /* \ */ && p + 1 < pattern.length) {
    i++;
    lit = pattern.charCodeAt(i);
  }
  if (nocase) lit = lower(lit);
  return lit === c ? i + 1 : -(i + 1) - 1;
}

/** Does `text` match the glob `pattern`? Both are byte strings. */
export function globMatch(pattern: Bytes, text: Bytes, nocase = false): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  let nesting = 0;
  const plen = pattern.length;
  const tlen = text.length;
  if (tlen === 0) return plen === 0;
  while (t < tlen) {
    if (p < plen && pattern.charCodeAt(p) === 42 /* * */) {
      while (p < plen && pattern.charCodeAt(p) === 42) p++;
      if (p === plen) return true;
      if (++nesting > MAX_STAR_NESTING) return false;
      starP = p;
      starT = t;
      continue;
    }
    if (p < plen) {
      const next = matchToken(pattern, p, text.charCodeAt(t), nocase);
      if (next >= 0) {
        p = next;
        t++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP;
    t = ++starT;
  }
  while (p < plen && pattern.charCodeAt(p) === 42) p++;
  return p === plen;
}
