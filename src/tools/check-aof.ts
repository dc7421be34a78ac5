/**
 * kioku-check-aof: checks an append-only file and optionally repairs it, as redis-check-aof 7.0
 * does, with the same report lines and exit codes (observed on Debian's 7.0.15 with the same
 * damaged inputs; test/compat/check-aof.diff.test.ts compares them).
 *
 *   kioku-check-aof [--fix|--truncate-to-timestamp <unix seconds>] <file.manifest|file.aof|dir>
 *
 * A file whose first non-`#` line starts with "file" is a manifest (multi-part AOF): the base is
 * checked (an RDB preamble through rdb-loader.ts, then its RESP tail), then each incremental file
 * in order (RESP only). Anything else is an old-style single AOF (RDB preamble allowed). --fix
 * cuts the last file back to its last complete command after asking; --truncate-to-timestamp
 * cuts the last file at the first `#TS:` annotation later than the time. Only the last file of a
 * multi-part AOF may be cut. The RESP walk is aof-scan.ts.
 * Mirrors redis src/redis-check-aof.c.
 *
 * Paths and file names are handled as Bytes (latin1 strings, one char per byte) so that names
 * read from a manifest print byte for byte.
 */
import fs from 'node:fs';
import path from 'node:path';
import { strerror } from '../config-params.js';
import { parseManifest, AofManifestError, type AofManifest } from '../persistence/aof-manifest.js';
import { RdbLoader } from '../persistence/rdb-loader.js';
import { parseTimestampArgument, scanAof, type ScanState } from './aof-scan.js';

/** Where the tool's output goes and where the --fix answer comes from. */
export interface CheckAofIo {
  /** Writes a piece of output (latin1: one char per byte). */
  write(text: string): void;
  /** Reads the answer to the --fix question (a line from standard input; '' at its end). */
  readAnswer(): string;
  /** The program name in the usage line. */
  program: string;
}

/** Unwinds to runCheckAof with an exit code. */
class Exit {
  constructor(readonly code: number) {}
}

/** RDB decoding thresholds: Redis's defaults (a check only needs values decoded, not tuned). */
const DEFAULT_LIMITS = {
  hashMaxListpackEntries: 128,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
};

/** How much of the start of a file is looked at to tell a manifest from an AOF. */
const SNIFF_BYTES = 64 * 1024;

/** A Bytes path as fs wants it. */
function fsPath(p: string): Buffer {
  return Buffer.from(p, 'latin1');
}

/** The time as redis-server's log prints it: "24 Nov 2026 15:28:37.226". */
function logTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getDate())} ${months[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** True when the first line that is not a `#` comment starts with "file". */
function looksLikeManifest(head: Buffer): boolean {
  let pos = 0;
  while (head[pos] === 0x23 /* # */) {
    const nl = head.indexOf(0x0a, pos);
    if (nl === -1) return false;
    pos = nl + 1;
  }
  return head.toString('latin1', pos, pos + 4) === 'file';
}

/**
 * An rdb-loader error as redis-check-rdb reports it: "[offset N] text", with its wording for
 * the common faults (running out of data, a wrong checksum) and the offset it gives them.
 */
function rdbErrorLine(message: string, source: string, stoppedAt: number, size: number): string {
  let text = message.startsWith(`${source}: `) ? message.slice(source.length + 2) : message;
  let offset = stoppedAt;
  const where = / at offset (\d+)$/.exec(text);
  if (where) {
    offset = Number(where[1]);
    text = text.slice(0, where.index);
  }
  // A file too short for the 9-byte header has no signature to be wrong about.
  if (text.startsWith('unexpected end of data') || (text.startsWith('Wrong signature') && size < 9)) text = 'Unexpected EOF reading RDB file';
  else if (text.startsWith('Wrong RDB checksum')) {
    text = 'RDB CRC error';
    offset = stoppedAt;
  } else if (text.startsWith("Can't handle RDB format version")) offset = 9;
  return `[offset ${offset}] ${text}`;
}

/** Bytes of an RDB length encoding of n (6-bit, 14-bit or 32-bit form). */
function lengthSize(n: number): number {
  return n < 64 ? 1 : n < 16384 ? 2 : 5;
}

/** One run of the checker. */
class Checker {
  private readonly state: ScanState;

  constructor(
    private readonly io: CheckAofIo,
    private readonly fix: boolean,
    /** Unix seconds, when truncating to a timestamp. */
    private readonly truncateTo: number | undefined,
  ) {
    this.state = { line: 1, out: (text) => this.out(text) };
  }

  out(text: string): void {
    this.io.write(text + '\n');
  }

  /** Checks `target` (a manifest, an AOF, or a directory holding one manifest); the exit code. */
  run(target: string): number {
    let fd: number;
    try {
      fd = fs.openSync(fsPath(target), 'r');
    } catch (e) {
      this.out(`Cannot open file ${target}: ${strerror(e)}`);
      return 1;
    }
    let head: Buffer;
    try {
      head = Buffer.alloc(SNIFF_BYTES);
      head = head.subarray(0, fs.readSync(fd, head, 0, SNIFF_BYTES, 0));
    } catch {
      fs.closeSync(fd);
      // COMPAT: redis-check-aof cannot read a directory; Kioku checks the one manifest in it.
      const manifest = this.manifestIn(target);
      if (manifest === undefined) {
        this.out(`Cannot read file: ${target}`);
        return 1;
      }
      return this.run(manifest);
    }
    fs.closeSync(fd);
    if (looksLikeManifest(head)) {
      this.out('Start checking Multi Part AOF');
      return this.multiPart(target);
    }
    this.out('Start checking Old-Style AOF');
    const status = this.checkFile(target, target, 'AOF', true, true);
    if (status === 'valid') this.out(`AOF ${target} is valid`);
    return 0;
  }

  /** The single `*.manifest` in a directory, if it is one. */
  private manifestIn(dir: string): string | undefined {
    let names: Buffer[];
    try {
      names = fs.readdirSync(fsPath(dir), { encoding: 'buffer' });
    } catch {
      return undefined;
    }
    const manifests = names.map((n) => n.toString('latin1')).filter((n) => n.endsWith('.manifest'));
    return manifests.length === 1 ? `${dir.replace(/\/+$/, '')}/${manifests[0]}` : undefined;
  }

  private multiPart(manifestPath: string): number {
    let manifest: AofManifest;
    try {
      manifest = parseManifest(fs.readFileSync(fsPath(manifestPath)).toString('latin1'), path.basename(manifestPath));
    } catch (e) {
      if (!(e instanceof AofManifestError)) throw e;
      const prefix = `${process.pid}:C ${logTime(new Date())} # `;
      for (const line of e.logLines()) this.out(prefix + line);
      return 1;
    }
    const dir = path.posix.dirname(manifestPath);
    const files = manifest.base ? [manifest.base, ...manifest.incrs] : manifest.incrs;
    const last = files[files.length - 1];
    if (manifest.base) {
      const base = manifest.base;
      const status = this.checkFile(`${dir}/${base.name}`, base.name, 'BASE AOF', base === last, true);
      if (status === 'valid') this.out(`BASE AOF ${base.name} is valid`);
    }
    if (manifest.incrs.length > 0) {
      this.out('Start to check INCR files.');
      for (const incr of manifest.incrs) {
        const status = this.checkFile(`${dir}/${incr.name}`, incr.name, 'INCR AOF', incr === last, false);
        if (status === 'valid') this.out(`INCR AOF ${incr.name} is valid`);
      }
    }
    this.out('All AOF files and manifest are valid');
    return 0;
  }

  /**
   * Checks one file; 'valid', 'empty' or 'cut' (repaired or truncated to the timestamp). Failures
   * print their lines and throw Exit.
   */
  private checkFile(filePath: string, name: string, kind: 'AOF' | 'BASE AOF' | 'INCR AOF', isLast: boolean, rdbAllowed: boolean): 'valid' | 'empty' | 'cut' {
    let fd: number;
    try {
      fd = fs.openSync(fsPath(filePath), 'r');
    } catch (e) {
      this.out(`Cannot open file ${filePath}: ${strerror(e)}${kind === 'INCR AOF' ? ', aborting...' : ''}`);
      throw new Exit(1);
    }
    try {
      const size = fs.fstatSync(fd).size;
      const sig = Buffer.alloc(5);
      const isRdb = rdbAllowed && size >= 8 && fs.readSync(fd, sig, 0, 5, 0) === 5 && sig.toString('latin1') === 'REDIS';
      if (kind === 'BASE AOF') this.out(`Start to check BASE AOF (${isRdb ? 'RDB' : 'RESP'} format).`);
      if (size === 0) {
        this.out(`${kind} ${name} is empty`);
        return 'empty';
      }
      const start = isRdb ? this.checkRdbPreamble(filePath, name) : 0;
      const result = scanAof(fd, size, start, name, this.state, this.truncateTo);
      if (result.badAnnotation) {
        this.out('Invalid timestamp annotation');
        throw new Exit(1);
      }
      const t = this.truncateTo;
      if (result.truncateAt !== undefined) {
        if (result.truncateAt === 0) {
          this.out(`AOF ${filePath} has nothing before timestamp ${t}, aborting...`);
          throw new Exit(1);
        }
        if (!isLast) {
          this.out(`Failed to truncate AOF ${filePath} to timestamp ${t} to offset ${result.truncateAt} because it is not the last file.`);
          this.out(
            'If you insist, please delete all files after this file according to the manifest file and delete the corresponding records in manifest file manually. Then re-run redis-check-aof.',
          );
          throw new Exit(1);
        }
        this.truncate(filePath, name, result.truncateAt);
        this.out(`Successfully truncated AOF ${name} to timestamp ${t}`);
        return 'cut';
      }
      if (result.valid && t !== undefined) {
        this.out(`Truncate nothing in AOF ${name} to timestamp ${t}`);
        return 'valid';
      }
      const diff = size - result.okUpTo;
      this.out(`AOF analyzed: filename=${name}, size=${size}, ok_up_to=${result.okUpTo}, ok_up_to_line=${this.state.line}, diff=${diff}`);
      if (diff === 0) return 'valid';
      if (!this.fix) {
        this.out(`AOF ${name} is not valid. Use the --fix option to try fixing it.`);
        throw new Exit(1);
      }
      if (!isLast) {
        this.out(`Failed to truncate AOF ${name} because it is not the last file`);
        throw new Exit(1);
      }
      this.out(`This will shrink the AOF ${name} from ${size} bytes, with ${diff} bytes, to ${result.okUpTo} bytes`);
      this.io.write('Continue? [y/N]: ');
      const answer = this.io.readAnswer();
      if (answer[0] !== 'y' && answer[0] !== 'Y') {
        this.out('Aborting...');
        throw new Exit(1);
      }
      this.truncate(filePath, name, result.okUpTo);
      this.out(`Successfully truncated AOF ${name}`);
      return 'cut';
    } finally {
      fs.closeSync(fd);
    }
  }

  private truncate(filePath: string, name: string, size: number): void {
    try {
      fs.truncateSync(fsPath(filePath), size);
    } catch {
      this.out(`Failed to truncate AOF ${name}`);
      throw new Exit(1);
    }
  }

  /**
   * Checks an RDB preamble, printing redis-check-rdb style lines; returns where the RESP tail
   * starts. COMPAT: on a damaged preamble redis-check-rdb adds "[additional info]" lines (what it
   * was doing, which key and type) and words rarer faults its own way; Kioku prints the fault line
   * only, in rdb-loader.ts's words where redis-check-rdb's are not matched (rdbErrorLine).
   */
  private checkRdbPreamble(filePath: string, name: string): number {
    const buf = fs.readFileSync(fsPath(filePath));
    let keys = 0;
    let expires = 0;
    let expired = 0;
    const now = Date.now();
    let loader: RdbLoader | undefined;
    const at = (): number => loader?.offset ?? 0;
    // Where the previous record ended: a SELECTDB written by Redis (or Kioku) directly follows it,
    // so "Selecting DB ID" can be placed at the first key of each database.
    let previousEnd = 9;
    let db = -1;
    loader = new RdbLoader(
      buf,
      {
        aux: (key, value) => {
          previousEnd = at();
          this.out(`[offset ${previousEnd}] AUX FIELD ${key} = '${value}'`);
        },
        key: (keyDb, _key, _value, expireAt) => {
          if (keyDb !== db) {
            db = keyDb;
            this.out(`[offset ${previousEnd + 1 + lengthSize(db)}] Selecting DB ID ${db}`);
          }
          previousEnd = at();
          keys++;
          if (expireAt !== undefined) {
            expires++;
            if (expireAt < now) expired++;
          }
        },
        functionLibrary: () => {
          previousEnd = at();
        },
      },
      { limits: DEFAULT_LIMITS, source: name },
    );
    const counts = (): void => {
      this.out(`[info] ${keys} keys read`);
      this.out(`[info] ${expires} expires`);
      this.out(`[info] ${expired} already expired`);
    };
    this.out(`[offset 0] Checking RDB file ${name}`);
    try {
      loader.step(Infinity);
    } catch (e) {
      this.out('--- RDB ERROR DETECTED ---');
      this.out(rdbErrorLine((e as Error).message, name, at(), buf.length));
      counts();
      this.out('RDB preamble of AOF file is not sane, aborting.');
      throw new Exit(1);
    }
    const end = loader.offset;
    const version = Number(buf.toString('latin1', 5, 9));
    if (version >= 5) {
      const unchecked = buf.subarray(end - 8, end).every((b) => b === 0);
      this.out(`[offset ${end}] ${unchecked ? 'RDB file was saved with checksum disabled: no check performed.' : 'Checksum OK'}`);
    }
    this.out(`[offset ${end}] \\o/ RDB looks OK! \\o/`);
    counts();
    this.out('RDB preamble is OK, proceeding with AOF tail...');
    return end;
  }
}

/**
 * Runs the checker on command-line arguments (without the program name); returns the exit code:
 * 0 valid, empty or repaired; 1 otherwise (bad usage, unreadable, invalid, refused repair).
 */
export function runCheckAof(args: string[], io: CheckAofIo): number {
  const usage = (): number => {
    io.write(`Usage: ${io.program} [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>\n`);
    return 1;
  };
  const bytes = args.map((a) => Buffer.from(a, 'utf8').toString('latin1'));
  let fix = false;
  let truncateTo: number | undefined;
  let target: string;
  if (bytes.length === 1) {
    target = bytes[0]!;
  } else if (bytes.length === 2) {
    if (bytes[0] !== '--fix') return usage();
    fix = true;
    target = bytes[1]!;
  } else if (bytes.length === 3) {
    if (bytes[0] !== '--truncate-to-timestamp') return usage();
    const ts = parseTimestampArgument(bytes[1]!);
    if (ts === undefined) {
      io.write('Invalid timestamp, aborting...\n');
      return 1;
    }
    // 0 means "do not truncate", as in redis-check-aof.
    if (ts !== 0) truncateTo = ts;
    target = bytes[2]!;
  } else {
    return usage();
  }
  try {
    return new Checker(io, fix, truncateTo).run(target);
  } catch (e) {
    if (e instanceof Exit) return e.code;
    throw e;
  }
}

/** Standard output (written synchronously, in order with the --fix question) and standard input. */
export function processIo(program: string): CheckAofIo {
  return {
    program,
    write: (text) => {
      fs.writeSync(1, Buffer.from(text, 'latin1'));
    },
    readAnswer: () => {
      const buf = Buffer.alloc(1024);
      for (;;) {
        try {
          const n = fs.readSync(0, buf, 0, buf.length, null);
          return buf.toString('latin1', 0, n);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return '';
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        }
      }
    },
  };
}
