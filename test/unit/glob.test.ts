/**
 * globMatch: Redis's glob rules (util.c stringmatchlen behaviour) — *, ?, classes with ranges,
 * negation and escapes, literal escapes, nocase, Redis's quirks (empty text, unterminated class,
 * the 1000-star nesting limit), and speed on patterns that make naive backtracking explode.
 */
import { describe, expect, it } from 'vitest';
import { globMatch } from '../../src/keyspace/glob.js';
import type { Bytes } from '../../src/keyspace/bytes.js';

const m = (pattern: string, text: string, nocase = false) => globMatch(pattern as Bytes, text as Bytes, nocase);

describe('globMatch', () => {
  it('* matches any run of bytes, ? exactly one', () => {
    expect(m('*', 'anything')).toBe(true);
    expect(m('h*llo', 'hllo')).toBe(true);
    expect(m('h*llo', 'heeeello')).toBe(true);
    expect(m('h*llo', 'hello!')).toBe(false);
    expect(m('h?llo', 'hello')).toBe(true);
    expect(m('h?llo', 'hllo')).toBe(false);
    expect(m('??', 'ab')).toBe(true);
    expect(m('??', 'abc')).toBe(false);
    expect(m('a*b*c', 'a--b--c')).toBe(true);
    expect(m('a*b*c', 'a--c--b')).toBe(false);
    expect(m('*b', 'aaab')).toBe(true);
    expect(m('a**', 'a')).toBe(true);
    expect(m('abc', 'abc')).toBe(true);
    expect(m('abc', 'abd')).toBe(false);
  });

  it('[abc], [^abc], [a-z] in either order, [x-] and escapes inside classes', () => {
    expect(m('h[ae]llo', 'hallo')).toBe(true);
    expect(m('h[ae]llo', 'hillo')).toBe(false);
    expect(m('h[^e]llo', 'hallo')).toBe(true);
    expect(m('h[^e]llo', 'hello')).toBe(false);
    expect(m('h[a-c]llo', 'hbllo')).toBe(true);
    expect(m('h[c-a]llo', 'hbllo')).toBe(true);
    expect(m('h[a-c]llo', 'hdllo')).toBe(false);
    expect(m('[\\]]', ']')).toBe(true);
    expect(m('[\\-]', '-')).toBe(true);
    expect(m('[\\-]', 'a')).toBe(false);
    expect(m('[]', 'a')).toBe(false);
    expect(m('[^]', 'a')).toBe(true);
    // "[a-]" reads a range from 'a' to ']' and runs on: the class is unterminated.
    expect(m('[a-]', '^')).toBe(true);
  });

  it('backslash makes the next byte literal; a trailing backslash is itself', () => {
    expect(m('a\\*b', 'a*b')).toBe(true);
    expect(m('a\\*b', 'axb')).toBe(false);
    expect(m('a\\?b', 'a?b')).toBe(true);
    expect(m('a\\?b', 'axb')).toBe(false);
    expect(m('\\h\\i', 'hi')).toBe(true);
    expect(m('a\\', 'a\\')).toBe(true);
    expect(m('\\', '\\')).toBe(true);
  });

  it('an unterminated class ends the pattern', () => {
    expect(m('h[a', 'ha')).toBe(true);
    expect(m('h[a', 'hax')).toBe(false);
    expect(m('[', 'x')).toBe(false);
  });

  it('nocase folds ASCII letters in literals, classes and ranges', () => {
    expect(m('HeLLo', 'hello', true)).toBe(true);
    expect(m('HeLLo', 'hello')).toBe(false);
    expect(m('h[A-C]llo', 'hbllo', true)).toBe(true);
    expect(m('h[A-C]llo', 'hbllo')).toBe(false);
    expect(m('[^A]', 'a', true)).toBe(false);
  });

  it('is byte-wise: high bytes and NUL are ordinary bytes', () => {
    expect(m('\xff*', '\xff\x00bin')).toBe(true);
    expect(m('*\x00*', '\xff\x00bin')).toBe(true);
    expect(m('[\xfe-\xff]', '\xfe')).toBe(true);
    expect(m('?', '\x00')).toBe(true);
  });

  it('Redis quirks: the empty text matches only the empty pattern', () => {
    expect(m('', '')).toBe(true);
    expect(m('*', '')).toBe(false);
    expect(m('**', '')).toBe(false);
    expect(m('', 'a')).toBe(false);
  });

  it('Redis quirks: more than 1000 nested stars never match', () => {
    const text = 'a'.repeat(3000);
    expect(m('a*'.repeat(1001), text)).toBe(true);
    expect(m('a*'.repeat(1002), text)).toBe(false);
    expect(m('*a'.repeat(1000), text)).toBe(true);
    expect(m('*a'.repeat(1001), text)).toBe(false);
  });

  it('pathological patterns stay fast (no exponential backtracking)', () => {
    const started = performance.now();
    const text = 'a'.repeat(20000);
    expect(m('*a'.repeat(900) + 'b', text)).toBe(false);
    expect(m('a*'.repeat(40) + 'b', 'a'.repeat(100))).toBe(false);
    expect(m('*?*?*?*?*?*?*?*?*?*?b', text)).toBe(false);
    expect(m('[a-z]*'.repeat(50) + '!', text)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
