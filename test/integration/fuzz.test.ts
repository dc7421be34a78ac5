/**
 * Protocol fuzzing with a fixed seed: generated, mutated and random request bytes, fed to the
 * RespDecoder directly and to a live server over several connections at once. The decoder must
 * give the same outcome however the bytes are cut and only ever fail with a ProtocolError; the
 * server must answer exactly the commands the bytes hold (then the protocol error, then close),
 * never log an internal error, never throw, and keep answering PING on fresh connections.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { ParsedConnection } from '../helpers/parsed-connection.js';
import { RespDecoder } from '../../src/protocol/resp-decoder.js';
import { ProtocolError } from '../../src/protocol/reply-errors.js';
import { prng } from '../helpers/prng.js';

// ---- Seeded generators ----


type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

const NAMES = ['PING', 'ECHO', 'SET', 'GET', 'INCR', 'STRLEN', 'APPEND', 'MGET', 'GETRANGE', 'NOSUCH'];
const PROTO_BYTES = [...'*$\r\n-0123456789 "\'\\x\t\x00:+'].map((c) => c.charCodeAt(0));
const SNIPPETS = ['\r\n', '*', '$', '*-1\r\n', '*0\r\n', '$-1\r\n', '"', "'", ' ', '\x00', '\\x4', '*99999999999\r\n', '$1\r\n', '\n'];

function randomArg(r: Rand): string {
  const len = pick(r, [0, 1, 2, 3, 5, 8, 20, 100, 300, 3000]);
  let s = '';
  const binary = r() < 0.5;
  for (let i = 0; i < len; i++) s += String.fromCharCode(binary ? int(r, 256) : 97 + int(r, 26));
  return s;
}

/** An inline-safe rendering of an argument: double-quoted, non-printables as \xHH. */
function quoteInline(a: string): string {
  let out = '"';
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (c === 34 || c === 92) out += '\\' + a[i];
    else if (c < 32 || c > 126) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += a[i];
  }
  return out + '"';
}

/** A valid request stream and the argv lists it holds. */
function validStream(r: Rand): { bytes: Buffer; argvs: string[][] } {
  const argvs: string[][] = [];
  let text = '';
  for (let k = 1 + int(r, 6); k > 0; k--) {
    const argv = [pick(r, NAMES), ...Array.from({ length: int(r, 4) }, () => randomArg(r))];
    argvs.push(argv);
    if (r() < 0.25) {
      text += argv.map((a, i) => (i === 0 ? a : quoteInline(a))).join(' ') + (r() < 0.5 ? '\r\n' : '\n');
    } else {
      text += `*${argv.length}\r\n` + argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
    }
  }
  return { bytes: Buffer.from(text, 'latin1'), argvs };
}

function mutate(r: Rand, input: Buffer): Buffer {
  let b = Buffer.from(input);
  for (let m = 1 + int(r, 3); m > 0; m--) {
    const at = int(r, b.length + 1);
    switch (int(r, 7)) {
      case 0: // flip a byte
        if (b.length > 0) b[Math.min(at, b.length - 1)] = int(r, 256);
        break;
      case 1: // a protocol byte
        if (b.length > 0) b[Math.min(at, b.length - 1)] = pick(r, PROTO_BYTES);
        break;
      case 2: // insert a snippet
        b = Buffer.concat([b.subarray(0, at), Buffer.from(pick(r, SNIPPETS), 'latin1'), b.subarray(at)]);
        break;
      case 3: // delete a range
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(r, 8))]);
        break;
      case 4: // duplicate a range
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + int(r, 30)), b.subarray(at)]);
        break;
      case 5: // truncate
        b = b.subarray(0, at);
        break;
      default: // bump a digit (lengths and counts)
        for (let i = at; i < b.length; i++) {
          if (b[i]! >= 48 && b[i]! <= 57) {
            b[i] = 48 + int(r, 10);
            break;
          }
        }
    }
  }
  return b;
}

function randomBytes(r: Rand): Buffer {
  const n = int(r, 200);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = r() < 0.6 ? pick(r, PROTO_BYTES) : int(r, 256);
  return b;
}

/** Case i of the corpus: a third valid, a third mutated valid, a third random bytes. */
function fuzzCase(r: Rand, i: number): { bytes: Buffer; argvs?: string[][] } {
  if (i % 3 === 0) return validStream(r);
  if (i % 3 === 1) return { bytes: mutate(r, validStream(r).bytes) };
  return { bytes: randomBytes(r) };
}

function chunkRandomly(r: Rand, b: Buffer, maxPieces: number): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  for (let p = 1 + int(r, maxPieces); p > 1 && pos < b.length; p--) {
    const n = 1 + int(r, Math.max(1, b.length - pos));
    out.push(b.subarray(pos, pos + n));
    pos += n;
  }
  if (pos < b.length || out.length === 0) out.push(b.subarray(pos));
  return out;
}

// ---- The decoder as its own oracle ----

interface Outcome {
  cmds: string[][];
  error?: string;
}

const KNOWN_ERRORS = new RegExp(
  '^Protocol error: (invalid multibulk length|invalid bulk length|expected \'\\$\', got \'[\\s\\S]\'|unbalanced quotes in request|' +
    'too big inline request|too big mbulk count string|too big bulk count string)$',
);

function decode(chunks: Buffer[]): Outcome {
  const d = new RespDecoder({ maxBulkLen: () => 512 * 1024 * 1024, authenticated: () => true });
  const cmds: string[][] = [];
  try {
    for (const c of chunks) {
      d.feed(c);
      for (let a = d.next(); a !== null; a = d.next()) cmds.push(a);
    }
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return { cmds, error: e.message };
  }
  return { cmds };
}

const SEED = 20240607;

describe('fuzz: RespDecoder on generated, mutated and random bytes', () => {
  it('3000 cases: valid streams decode exactly; any input gives the same outcome however it is cut', () => {
    const r = prng(SEED);
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const { bytes, argvs } = fuzzCase(r, i);
      const whole = decode([bytes]);
      if (argvs) expect(whole, `case ${i}`).toEqual({ cmds: argvs });
      if (whole.error !== undefined) {
        errors++;
        expect(whole.error, `case ${i}`).toMatch(KNOWN_ERRORS);
      }
      for (let k = 0; k < 3; k++) expect(decode(chunkRandomly(r, bytes, 6)), `case ${i} cut ${k}`).toEqual(whole);
      const bytewise = Array.from({ length: bytes.length }, (_, j) => bytes.subarray(j, j + 1));
      if (i % 10 === 0) expect(decode(bytewise), `case ${i} byte by byte`).toEqual(whole);
    }
    // The corpus does reach the error paths (and the success paths) in good measure.
    expect(errors).toBeGreaterThan(300);
    expect(errors).toBeLessThan(2700);
  });
});

// ---- The live server ----

let ts: TestServer;
const unhandled: unknown[] = [];
const onUncaught = (e: unknown) => unhandled.push(e);
beforeAll(async () => {
  ts = await startTestServer();
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  await ts.stop();
});

/** Sends one case on a fresh connection; checks replies against what the decoder finds in it. */
async function runCase(r: Rand, bytes: Buffer): Promise<void> {
  const expected = decode([bytes]);
  const c = await ParsedConnection.connect(ts.port);
  try {
    for (const piece of chunkRandomly(r, bytes, 3)) {
      c.socket.write(piece);
      if (r() < 0.3) await new Promise((res) => setImmediate(res));
    }
    const n = expected.cmds.length + (expected.error !== undefined ? 1 : 0);
    const replies = await c.waitReplies(n, 10_000);
    if (expected.error !== undefined) {
      // Exactly the commands' replies, then the protocol error, then the server closes.
      for (let w = 0; w < 200 && !c.closed; w++) await new Promise((res) => setTimeout(res, 5));
      expect(c.closed).toBe(true);
      expect(replies).toHaveLength(n);
      const last = replies[n - 1];
      // redis-parser reads error lines as UTF-8: compare the same way.
      expect(last instanceof Error ? last.message : last).toBe(Buffer.from(`ERR ${expected.error}`, 'latin1').toString('utf8'));
    }
    for (const rep of replies) {
      if (rep instanceof Error) expect(rep.message.startsWith('FATAL')).toBe(false);
    }
  } finally {
    c.close();
  }
}

describe('fuzz: a live server over several connections', () => {
  it('1200 cases on 6 concurrent connections: exact reply counts, no internal errors, PING still answers', async () => {
    const logError = vi.spyOn(ts.server.log, 'error');
    const baselineClients = ts.server.clients.size;
    const r = prng(SEED + 1);
    const cases = Array.from({ length: 1200 }, (_, i) => fuzzCase(r, i).bytes);
    const LANES = 6;
    for (let batch = 0; batch < cases.length; batch += 100) {
      const slice = cases.slice(batch, batch + 100);
      await Promise.all(
        Array.from({ length: LANES }, async (_, lane) => {
          const lr = prng(SEED + batch + lane);
          for (let i = lane; i < slice.length; i += LANES) await runCase(lr, slice[i]!);
        }),
      );
      const probe = await RawConnection.connect(ts.port);
      expect(await probe.call('PING')).toBe('+PONG\r\n');
      probe.close();
    }
    expect(logError).not.toHaveBeenCalled();
    expect(unhandled).toEqual([]);
    // Every fuzz connection is gone from the server's client table.
    for (let w = 0; w < 100 && ts.server.clients.size > baselineClients; w++) await new Promise((res) => setTimeout(res, 20));
    expect(ts.server.clients.size).toBeLessThanOrEqual(baselineClients);
    logError.mockRestore();
  }, 120_000);
});
