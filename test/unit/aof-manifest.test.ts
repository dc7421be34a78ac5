/**
 * The AOF manifest reader/writer against what redis-server 7.0.15 was observed to accept, refuse
 * (with which message) and write. The compat half (redis-server loading manifests Kioku formats)
 * is in test/compat/aof-manifest.diff.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AofManifestError,
  addNewBase,
  addNewIncr,
  baseFileName,
  copyManifest,
  emptyManifest,
  formatManifest,
  incrFileName,
  lastIncr,
  manifestFileName,
  markRewrittenIncrsAsHistory,
  parseManifest,
  quoteName,
  readManifestFile,
  splitArgs,
  tempManifestFileName,
} from '../../src/persistence/aof-manifest.js';

function parseError(text: string): AofManifestError {
  try {
    parseManifest(text, 'appendonly.aof.manifest');
  } catch (e) {
    expect(e).toBeInstanceOf(AofManifestError);
    return e as AofManifestError;
  }
  throw new Error(`parsed: ${JSON.stringify(text)}`);
}

describe('parseManifest accepts what redis-server accepts', () => {
  it('the manifest redis-server writes after a rewrite', () => {
    const m = parseManifest('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n', 'm');
    expect(m).toEqual({
      base: { name: 'appendonly.aof.2.base.rdb', seq: 2, type: 'b' },
      incrs: [{ name: 'appendonly.aof.2.incr.aof', seq: 2, type: 'i' }],
      history: [],
      currBaseSeq: 2,
      currIncrSeq: 2,
    });
  });

  it('comments in column 0, CRLF endings, keys in any order and case, extra pairs, first type char', () => {
    const m = parseManifest(
      '# comment\nTYPE i SEQ 1 FILE a.1.incr.aof\r\nfile a.1.base.aof seq 1 type bx extra x\r\r\nfile b seq 3 type ii\n#\n',
      'm',
    );
    expect(m.base).toEqual({ name: 'a.1.base.aof', seq: 1, type: 'b' });
    expect(m.incrs).toEqual([
      { name: 'a.1.incr.aof', seq: 1, type: 'i' },
      { name: 'b', seq: 3, type: 'i' },
    ]);
    expect(m.currIncrSeq).toBe(3);
  });

  it('a later duplicate key wins; seq is read like atoll', () => {
    const m = parseManifest('file a.aof seq 1 type i file b.aof\nfile c seq 2abc type i\nfile d seq +3 type i\n', 'm');
    expect(m.incrs.map((f) => [f.name, f.seq])).toEqual([
      ['b.aof', 1],
      ['c', 2],
      ['d', 3],
    ]);
  });

  it('history lines, and an incr before the base', () => {
    const m = parseManifest('file x.1.incr.aof seq 1 type i\nfile x.2.incr.aof seq 2 type h\nfile x.1.base.aof seq 1 type b\n', 'm');
    expect(m.history).toEqual([{ name: 'x.2.incr.aof', seq: 2, type: 'h' }]);
    expect(m.base?.name).toBe('x.1.base.aof');
  });

  it('comment-only and history-only manifests are empty, not errors', () => {
    expect(parseManifest('# only\n', 'm')).toEqual(emptyManifest());
    expect(parseManifest('file a seq 2 type h\n', 'm').incrs).toEqual([]);
  });

  it('quoted names: double quotes with escapes, single quotes, quote inside a word', () => {
    const m = parseManifest(`file "a\\x69 \\"q\\"\\t\\nz\\q" seq 1 type i\nfile 'it\\'s' seq 2 type i\nfile ab"c d" seq 3 type i\n`, 'm');
    expect(m.incrs.map((f) => f.name)).toEqual(['ai "q"\t\nzq', "it's", 'abc d']);
  });

  it('a 1023-byte line plus newline is the longest accepted', () => {
    const name = 'x'.repeat(1023 - 'file  seq 1 type i'.length);
    expect(parseManifest(`file ${name} seq 1 type i\n`, 'm').incrs[0]!.name).toBe(name);
    expect(parseError(`file ${name}x seq 1 type i\n`).message).toBe('The AOF manifest file contains too long line');
  });
});

describe('parseManifest refuses with redis-server messages', () => {
  it('empty file', () => {
    const e = parseError('');
    expect(e.message).toBe('Found an empty AOF manifest');
    expect(e.logLines()).toEqual(['\n*** FATAL AOF MANIFEST FILE ERROR ***\n', 'Found an empty AOF manifest\n']);
  });

  it('last line without a newline, or with a NUL byte', () => {
    expect(parseError('file a seq 1 type i').message).toBe('The AOF manifest file contains too long line');
    expect(parseError('file a seq 1 type i\n\0\n').message).toBe('The AOF manifest file contains too long line');
  });

  it.each([
    ['\n', 1, ''],
    ['   \t\n', 1, ''],
    ['file a seq 1 type i\n\n', 2, ''],
    ['  # not a comment\n', 1, '# not a comment'],
    ['file a seq 1\n', 1, 'file a seq 1'],
    ['file a seq 1 type b extra\n', 1, 'file a seq 1 type b extra'],
    ['file a seq abc type i\n', 1, 'file a seq abc type i'],
    ['file a seq 0 type i\n', 1, 'file a seq 0 type i'],
    ['seq 1 type i\n', 1, 'seq 1 type i'],
    ['file a seq 1 type\n', 1, 'file a seq 1 type'],
    ['file a seq 1 type ""\n', 1, 'file a seq 1 type ""'],
    ['file "unbalanced seq 1 type i\n', 1, 'file "unbalanced seq 1 type i'],
    ['file "a"x seq 1 type i\n', 1, 'file "a"x seq 1 type i'],
    ["file 'a seq 1 type i\n", 1, "file 'a seq 1 type i"],
  ])('invalid format: %j', (text, line, echoed) => {
    const e = parseError(text);
    expect(e.message).toBe('Invalid AOF manifest file format');
    expect(e.lineNumber).toBe(line);
    expect(e.lineText).toBe(echoed);
  });

  it('the fatal block names the line and echoes it trimmed', () => {
    const e = parseError('# c\n#d\nfile x seq 1 type i\n  bad  \t\n');
    expect(e.logLines()).toEqual([
      '\n*** FATAL AOF MANIFEST FILE ERROR ***\n',
      'Reading the manifest file, at line 4\n',
      ">>> 'bad'\n",
      'Invalid AOF manifest file format\n',
    ]);
  });

  it('unknown type (case matters)', () => {
    expect(parseError('file a seq 1 type I\n').message).toBe('Unknown AOF file type');
    expect(parseError('file a seq 1 type x\n').message).toBe('Unknown AOF file type');
  });

  it('a second base', () => {
    const e = parseError('file a.1.base.aof seq 1 type b\nfile a.2.base.aof seq 2 type b\n');
    expect(e.message).toBe('Found duplicate base file information');
    expect(e.lineNumber).toBe(2);
  });

  it('a path instead of a file name', () => {
    expect(parseError('file a/b seq 1 type i\n').message).toBe("File can't be a path, just a filename");
    expect(parseError("file 'a\\q' seq 1 type i\n").message).toBe("File can't be a path, just a filename");
  });

  it('incremental sequences must increase', () => {
    expect(parseError('file a seq 1 type i\nfile b seq 1 type i\n').message).toBe('Found a non-monotonic sequence number');
    expect(parseError('file a seq 2 type i\nfile b seq 1 type i\n').lineNumber).toBe(2);
    expect(parseError('file a seq -1 type i\n').message).toBe('Found a non-monotonic sequence number');
  });
});

describe('formatManifest', () => {
  it('writes base, history, incrs as redis-server does', () => {
    const m = parseManifest('file a.3.incr.aof seq 3 type i\nfile a.2.base.rdb seq 2 type b\nfile a.1.base.rdb seq 1 type h\n', 'm');
    expect(formatManifest(m)).toBe('file a.2.base.rdb seq 2 type b\nfile a.1.base.rdb seq 1 type h\nfile a.3.incr.aof seq 3 type i\n');
  });

  it('quotes names as redis-server does (observed: file "my file\\"x\\t\\xc3\\xa9.aof.1.base.rdb")', () => {
    expect(quoteName('my file"x\t\xc3\xa9.aof.1.base.rdb')).toBe('"my file\\"x\\t\\xc3\\xa9.aof.1.base.rdb"');
    expect(quoteName('appendonly.aof.1.incr.aof')).toBe('appendonly.aof.1.incr.aof');
    expect(quoteName('a\\b\r\n\x07\x08\x01\x7f')).toBe('"a\\\\b\\r\\n\\a\\b\\x01\\x7f"');
    expect(quoteName("a'b")).toBe('"a\'b"');
  });

  it('every byte string survives format → parse', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let round = 0; round < 300; round++) {
      let name = '';
      const len = 1 + Math.floor(rand() * 20);
      for (let i = 0; i < len; i++) {
        let c = Math.floor(rand() * 256);
        if (c === 0x2f || c === 0x5c || c === 0) c = 0x41; // not in file names (path separators, NUL)
        name += String.fromCharCode(c);
      }
      const m = emptyManifest();
      m.base = { name, seq: 1, type: 'b' };
      m.currBaseSeq = 1;
      m.incrs.push({ name: name + '.i', seq: 4, type: 'i' });
      m.currIncrSeq = 4;
      expect(parseManifest(formatManifest(m), 'm')).toEqual(m);
    }
  });

  it('splitArgs splits on blanks, including \\v between words', () => {
    expect(splitArgs('  a \v b\t"c d"  ')).toEqual(['a', 'b', 'c d']);
    expect(splitArgs('')).toEqual([]);
  });
});

describe('naming and rewrite bookkeeping', () => {
  it('file names', () => {
    expect(manifestFileName('appendonly.aof')).toBe('appendonly.aof.manifest');
    expect(tempManifestFileName('appendonly.aof')).toBe('temp-appendonly.aof.manifest');
    expect(baseFileName('appendonly.aof', 3, true)).toBe('appendonly.aof.3.base.rdb');
    expect(baseFileName('appendonly.aof', 3, false)).toBe('appendonly.aof.3.base.aof');
    expect(incrFileName('appendonly.aof', 12)).toBe('appendonly.aof.12.incr.aof');
  });

  it('a first start, then a rewrite: old base and old incrs become history, the last incr stays', () => {
    const m = emptyManifest();
    addNewBase(m, 'appendonly.aof', true);
    addNewIncr(m, 'appendonly.aof');
    expect(formatManifest(m)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    const before = copyManifest(m);
    // Rewrite: a new incr is opened when it starts; on success a new base and history.
    expect(addNewIncr(m, 'appendonly.aof')).toEqual({ name: 'appendonly.aof.2.incr.aof', seq: 2, type: 'i' });
    expect(addNewBase(m, 'appendonly.aof', true)).toEqual({ name: 'appendonly.aof.2.base.rdb', seq: 2, type: 'b' });
    markRewrittenIncrsAsHistory(m);
    expect(formatManifest(m)).toBe(
      'file appendonly.aof.2.base.rdb seq 2 type b\n' +
        'file appendonly.aof.1.base.rdb seq 1 type h\n' +
        'file appendonly.aof.1.incr.aof seq 1 type h\n' +
        'file appendonly.aof.2.incr.aof seq 2 type i\n',
    );
    expect(lastIncr(m)?.seq).toBe(2);
    // The copy was not touched.
    expect(formatManifest(before)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    expect(parseManifest(formatManifest(m), 'm')).toEqual(m);
  });

  it('readManifestFile reads bytes, not UTF-8', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kioku-manifest-'));
    try {
      const file = path.join(dir, 'm\xe9.manifest');
      writeFileSync(Buffer.from(file, 'latin1'), Buffer.from('file "\\xc3\\xa9" seq 1 type b\nfile \xc3\xa9.i seq 1 type i\n', 'latin1'));
      const m = readManifestFile(Buffer.from(file, 'latin1'));
      expect(m.base?.name).toBe('\xc3\xa9');
      expect(m.incrs[0]!.name).toBe('\xc3\xa9.i');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
