/**
 * The AOF manifest of Redis 7.0's multi-part AOF: which files in `appenddirname` make up the
 * append-only log, and in what order. Parsing (with redis-server's exact fatal messages), formatting
 * (with its quoting of file names), the file naming rules and the sequence bookkeeping a rewrite
 * needs. Pure: no file system access except `readManifestFile`. Mirrors the manifest part of
 * redis src/aof.c (aofInfo / aofManifest, load and format); behaviour taken from observing
 * redis-server 7.0.15 on hand-made manifests.
 *
 * Layout, for appendfilename `appendonly.aof`:
 *   appendonly.aof.manifest          one line per file:  file <name> seq <n> type b|h|i
 *   appendonly.aof.<seq>.base.rdb    the base (an RDB image; `.base.aof` when it is RESP commands)
 *   appendonly.aof.<seq>.incr.aof    incremental files, replayed in order after the base
 * `h` (history) lines name files a finished rewrite made obsolete; they are deleted, never loaded.
 *
 * File names are Bytes (latin1 strings, one char per byte), as everywhere in Kioku: turn one into
 * a path with `Buffer.from(name, 'latin1')`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Bytes } from '../keyspace/bytes.js';

/** `b` base, `h` history (to delete), `i` incremental. */
export type AofFileType = 'b' | 'h' | 'i';

/** One `file ... seq ... type ...` line. */
export interface AofFileInfo {
  name: Bytes;
  seq: number;
  type: AofFileType;
}

/** The parsed manifest: a base (or none), incremental files in replay order, history files. */
export interface AofManifest {
  base: AofFileInfo | undefined;
  incrs: AofFileInfo[];
  history: AofFileInfo[];
  /** Sequence of the current base (0 when there never was one); the next base takes this + 1. */
  currBaseSeq: number;
  /** Sequence of the last incremental file (0 when none); the next one takes this + 1. */
  currIncrSeq: number;
}

/**
 * A manifest redis-server would refuse to load. `message` is Redis's reason line;
 * `logLines()` gives the whole fatal block as redis-server logs it (one entry per log call).
 */
export class AofManifestError extends Error {
  constructor(
    message: string,
    /** The manifest's file name (for the caller's own messages). */
    readonly source: string,
    /** 1-based line number, when the error is about one line. */
    readonly lineNumber?: number,
    /** That line with surrounding blanks trimmed, as Redis echoes it. */
    readonly lineText?: string,
  ) {
    super(message);
    this.name = 'AofManifestError';
  }

  /** redis-server's log calls for this error, each a `warning` line (they carry their own newlines). */
  logLines(): string[] {
    const lines = ['\n*** FATAL AOF MANIFEST FILE ERROR ***\n'];
    if (this.lineNumber !== undefined) {
      lines.push(`Reading the manifest file, at line ${this.lineNumber}\n`, `>>> '${this.lineText ?? ''}'\n`);
    }
    lines.push(`${this.message}\n`);
    return lines;
  }
}

/** Redis's limit: a manifest line (with its newline) fits in 1024 bytes. */
const MAX_LINE = 1024;

export const ERR_EMPTY_MANIFEST = 'Found an empty AOF manifest';
export const ERR_LONG_LINE = 'The AOF manifest file contains too long line';
export const ERR_INVALID_FORMAT = 'Invalid AOF manifest file format';
export const ERR_UNKNOWN_TYPE = 'Unknown AOF file type';
export const ERR_DUPLICATE_BASE = 'Found duplicate base file information';
export const ERR_PATH = "File can't be a path, just a filename";
export const ERR_NON_MONOTONIC = 'Found a non-monotonic sequence number';

/**
 * Parses a manifest (`text` = the file's bytes as latin1). Accepts what redis-server 7.0 accepts:
 * `#` comments in column 0, keys in any order and any case, unknown key/value pairs ignored, a later
 * duplicate key winning, only the first character of the type counting, quoted names. Throws
 * AofManifestError with Redis's messages otherwise.
 */
export function parseManifest(text: Bytes, source: string): AofManifest {
  if (text.length === 0) throw new AofManifestError(ERR_EMPTY_MANIFEST, source);
  const m: AofManifest = { base: undefined, incrs: [], history: [], currBaseSeq: 0, currIncrSeq: 0 };
  let pos = 0;
  let lineNumber = 0;
  while (pos < text.length) {
    lineNumber++;
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl;
    const raw = text.slice(pos, end);
    // A line must end in '\n' within 1024 bytes; a NUL cuts the line short for C, same verdict.
    if (nl === -1 || end + 1 - pos > MAX_LINE || raw.includes('\0')) throw new AofManifestError(ERR_LONG_LINE, source);
    pos = end + 1;
    if (raw.charCodeAt(0) === 0x23 /* # */) continue;
    const line = trimBlanks(raw);
    const fail = (reason: string): never => {
      throw new AofManifestError(reason, source, lineNumber, line);
    };
    const argv = splitArgs(line);
    if (argv === undefined || argv.length === 0 || argv.length % 2 !== 0) fail(ERR_INVALID_FORMAT);
    let name: Bytes | undefined;
    let seqText: Bytes | undefined;
    let typeText: Bytes | undefined;
    for (let i = 0; i < argv!.length; i += 2) {
      const key = argv![i]!.toLowerCase();
      const value = argv![i + 1]!;
      if (key === 'file') {
        if (value.includes('/') || value.includes('\\')) fail(ERR_PATH);
        name = value;
      } else if (key === 'seq') seqText = value;
      else if (key === 'type') typeText = value;
    }
    const seq = seqText === undefined ? 0 : atoll(seqText);
    // COMPAT: Redis accepts an empty file name (and then fails opening the directory); Kioku
    // refuses it here, and refuses a sequence beyond 2^53 (Redis saturates at 2^63-1).
    if (name === undefined || name === '' || seq === 0 || !Number.isSafeInteger(seq) || typeText === undefined || typeText === '') {
      fail(ERR_INVALID_FORMAT);
    }
    const type = typeText!.charAt(0);
    const info = { name: name!, seq, type: type as AofFileType };
    if (type === 'b') {
      if (m.base !== undefined) fail(ERR_DUPLICATE_BASE);
      m.base = info;
      m.currBaseSeq = seq;
    } else if (type === 'h') {
      m.history.push(info);
    } else if (type === 'i') {
      if (seq <= m.currIncrSeq) fail(ERR_NON_MONOTONIC);
      m.incrs.push(info);
      m.currIncrSeq = seq;
    } else {
      fail(ERR_UNKNOWN_TYPE);
    }
  }
  return m;
}

/**
 * Reads and parses a manifest file; `file` is a path as node:fs takes it (a string, or a Buffer
 * for a path that is not valid UTF-8). File system errors propagate as fs throws them.
 */
export function readManifestFile(file: string | Buffer): AofManifest {
  const text = readFileSync(file).toString('latin1');
  const name = typeof file === 'string' ? basename(file) : basename(file.toString('latin1'));
  return parseManifest(text, name);
}

/**
 * The manifest text: the base, then history files, then incremental files, one line each, names
 * quoted as Redis quotes them (see quoteName).
 */
export function formatManifest(m: AofManifest): Bytes {
  let out = '';
  const line = (f: AofFileInfo): void => {
    out += `file ${quoteName(f.name)} seq ${f.seq} type ${f.type}\n`;
  };
  if (m.base !== undefined) line(m.base);
  m.history.forEach(line);
  m.incrs.forEach(line);
  return out;
}

/** An empty manifest: no base, no incremental files, sequences at 0. */
export function emptyManifest(): AofManifest {
  return { base: undefined, incrs: [], history: [], currBaseSeq: 0, currIncrSeq: 0 };
}

/** A deep copy (a rewrite edits a copy and swaps it in only once the new manifest is on disk). */
export function copyManifest(m: AofManifest): AofManifest {
  return {
    base: m.base && { ...m.base },
    incrs: m.incrs.map((f) => ({ ...f })),
    history: m.history.map((f) => ({ ...f })),
    currBaseSeq: m.currBaseSeq,
    currIncrSeq: m.currIncrSeq,
  };
}

// ---- Naming ----

/** `<appendfilename>.manifest` */
export function manifestFileName(appendfilename: Bytes): Bytes {
  return `${appendfilename}.manifest`;
}

/** `temp-<appendfilename>.manifest`: written and fsynced, then renamed over the manifest. */
export function tempManifestFileName(appendfilename: Bytes): Bytes {
  return `temp-${manifestFileName(appendfilename)}`;
}

/** `<appendfilename>.<seq>.base.rdb` (RDB preamble) or `.base.aof` (RESP commands). */
export function baseFileName(appendfilename: Bytes, seq: number, rdbPreamble: boolean): Bytes {
  return `${appendfilename}.${seq}.base.${rdbPreamble ? 'rdb' : 'aof'}`;
}

/** `<appendfilename>.<seq>.incr.aof` */
export function incrFileName(appendfilename: Bytes, seq: number): Bytes {
  return `${appendfilename}.${seq}.incr.aof`;
}

// ---- Sequence bookkeeping (what a rewrite does to the manifest) ----

/**
 * Adds the next base file (currBaseSeq + 1); the previous base, if any, becomes history.
 * Returns the new entry.
 */
export function addNewBase(m: AofManifest, appendfilename: Bytes, rdbPreamble: boolean): AofFileInfo {
  if (m.base !== undefined) m.history.push({ ...m.base, type: 'h' });
  const seq = m.currBaseSeq + 1;
  m.base = { name: baseFileName(appendfilename, seq, rdbPreamble), seq, type: 'b' };
  m.currBaseSeq = seq;
  return m.base;
}

/** Appends the next incremental file (currIncrSeq + 1) and returns it. */
export function addNewIncr(m: AofManifest, appendfilename: Bytes): AofFileInfo {
  const seq = m.currIncrSeq + 1;
  const info: AofFileInfo = { name: incrFileName(appendfilename, seq), seq, type: 'i' };
  m.incrs.push(info);
  m.currIncrSeq = seq;
  return info;
}

/**
 * After a rewrite: every incremental file but the last (the one opened when the rewrite started,
 * which holds the writes the new base lacks) becomes history.
 */
export function markRewrittenIncrsAsHistory(m: AofManifest): void {
  const keep = m.incrs.pop();
  for (const f of m.incrs) m.history.push({ ...f, type: 'h' });
  m.incrs = keep === undefined ? [] : [keep];
}

/** The incremental file new writes go to (the last one), if any. */
export function lastIncr(m: AofManifest): AofFileInfo | undefined {
  return m.incrs[m.incrs.length - 1];
}

// ---- Lexical rules (as observed in redis-server 7.0's manifest reader and writer) ----

/** Strips spaces, tabs, CR and LF at both ends. */
function trimBlanks(s: Bytes): Bytes {
  let a = 0;
  let b = s.length;
  while (a < b && isTrimmed(s.charCodeAt(a))) a++;
  while (b > a && isTrimmed(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

function isTrimmed(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** C isspace in the C locale: space, \t \n \v \f \r. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * Splits a line into words the way redis-server reads manifest lines (and config lines): words
 * are separated by blanks; a `"` or `'` anywhere in a word opens a quoted part. Inside "...":
 * \xHH, \n \r \t \b \a, and backslash + any other char is that char. Inside '...': only \' is an
 * escape. A closing quote must be followed by a blank or the end. Returns undefined on unbalanced
 * quotes or text glued to a closing quote.
 */
export function splitArgs(line: Bytes): Bytes[] | undefined {
  const words: Bytes[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return words;
    let word = '';
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      if (inDouble) {
        if (i >= n) return undefined;
        const c = line.charCodeAt(i);
        if (c === 0x5c /* \ */ && i + 3 < n && line.charCodeAt(i + 1) === 0x78 /* x */ && hexValue(line.charCodeAt(i + 2)) >= 0 && hexValue(line.charCodeAt(i + 3)) >= 0) {
          word += String.fromCharCode(hexValue(line.charCodeAt(i + 2)) * 16 + hexValue(line.charCodeAt(i + 3)));
          i += 3;
        } else if (c === 0x5c && i + 1 < n) {
          i++;
          const e = line.charAt(i);
          word += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === 0x22 /* " */) {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return undefined;
          done = true;
        } else {
          word += line.charAt(i);
        }
      } else if (inSingle) {
        if (i >= n) return undefined;
        const c = line.charCodeAt(i);
        if (c === 0x5c && i + 1 < n && line.charCodeAt(i + 1) === 0x27 /* ' */) {
          i++;
          word += "'";
        } else if (c === 0x27) {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return undefined;
          done = true;
        } else {
          word += line.charAt(i);
        }
      } else if (i >= n) {
        done = true;
      } else {
        const c = line.charCodeAt(i);
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0) done = true;
        else if (c === 0x22) inDouble = true;
        else if (c === 0x27) inSingle = true;
        else word += line.charAt(i);
      }
      if (i < n) i++;
    }
    words.push(word);
  }
}

/**
 * A file name as the manifest writes it: bare when it holds only printable non-blank ASCII other
 * than `"` and `\`, else in double quotes with \\ \" \n \r \t \a \b escapes and \xHH (lowercase)
 * for other unprintable bytes.
 * COMPAT: a name holding `'` is quoted too. redis-server 7.0 writes it bare and then cannot read
 * its own manifest back (the `'` opens a quoted part); quoted, both servers read it.
 */
export function quoteName(name: Bytes): Bytes {
  let needs = name.length === 0;
  for (let i = 0; i < name.length && !needs; i++) {
    const c = name.charCodeAt(i);
    needs = c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c || c === 0x27;
  }
  if (!needs) return name;
  let out = '"';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x22) out += '\\"';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x07) out += '\\a';
    else if (c === 0x08) out += '\\b';
    else if (c >= 0x20 && c < 0x7f) out += name.charAt(i);
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out + '"';
}

/**
 * C atoll on a manifest value: optional blanks, optional sign, then digits up to the first
 * non-digit ("1abc" is 1, "abc" is 0). Huge values come out unsafe and are refused by the caller.
 */
function atoll(s: Bytes): number {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let sign = 1;
  if (s[i] === '+' || s[i] === '-') {
    if (s[i] === '-') sign = -1;
    i++;
  }
  let v = 0;
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  return sign * v;
}
