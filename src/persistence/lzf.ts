/**
 * LZF compression, the format Redis uses for compressed strings in RDB files (and DUMP payloads).
 *
 * The format, from its public description: a sequence of chunks, each starting with a control byte.
 * - 000LLLLL: a literal run; the next L+1 bytes (1..32) are copied as they are.
 * - LLLooooo [extra length byte when LLL = 7] oooooooo: a back reference; (length bits, plus the
 *   extra byte when they are all set) + 2 bytes (3..264) are copied from `offset + 1` bytes back
 *   in the output (13-bit offset, up to 8192 back). Copies may overlap the bytes they produce.
 * There is no header: the RDB stores the compressed and uncompressed lengths beside the data.
 *
 * The compressor is a greedy matcher over a hash of the next three bytes (one slot per hash, the
 * most recent position wins). Its table is shared across calls and never cleared: entries hold
 * `epoch + position`, and each call starts a new epoch above every stored value, so compressing
 * many short strings (the RDB's common case) costs nothing per call for the table.
 * Mirrors the role of redis lzf_c.c / lzf_d.c; written from the format description.
 */

const HASH_BITS = 16;
const HASH_SIZE = 1 << HASH_BITS;
const MAX_LITERAL = 32;
const MAX_OFFSET = 1 << 13;
const MAX_MATCH = 264;

/** Position table of the compressor (see the file comment for the epoch scheme). */
const table = new Int32Array(HASH_SIZE);
let epoch = 1;

/**
 * Compresses `input`. Returns undefined when the compressed form would take more than `maxOut`
 * bytes (by default: when it would not be smaller than the input).
 */
export function lzfCompress(input: Uint8Array, maxOut: number = input.length - 1): Buffer | undefined {
  const n = input.length;
  if (n < 4 || maxOut <= 0) return undefined;
  if (epoch + n + 1 >= 0x7fffffff) {
    table.fill(0);
    epoch = 1;
  }
  const base = epoch;
  epoch += n + 1;
  // Room for the worst case within maxOut plus one chunk, so writes need no bounds checks.
  const out = Buffer.allocUnsafe(maxOut + MAX_LITERAL + 4);
  let op = 1; // out[0] is the control byte of the first literal run
  let lit = 0; // length of the literal run being written
  let ip = 0;
  while (ip < n - 2) {
    const h = (Math.imul((input[ip]! << 16) | (input[ip + 1]! << 8) | input[ip + 2]!, 0x9e3779b1) >>> (32 - HASH_BITS));
    const stored = table[h]! - base;
    table[h] = base + ip;
    const off = ip - stored - 1;
    if (
      stored >= 0 &&
      off < MAX_OFFSET &&
      input[stored] === input[ip] &&
      input[stored + 1] === input[ip + 1] &&
      input[stored + 2] === input[ip + 2]
    ) {
      let len = 3;
      const maxLen = Math.min(MAX_MATCH, n - ip);
      while (len < maxLen && input[stored + len] === input[ip + len]) len++;
      // Close the literal run (or drop its unused control byte).
      if (lit > 0) out[op - lit - 1] = lit - 1;
      else op--;
      const l = len - 2;
      if (l < 7) {
        out[op++] = (l << 5) | (off >>> 8);
      } else {
        out[op++] = (7 << 5) | (off >>> 8);
        out[op++] = l - 7;
      }
      out[op++] = off & 0xff;
      op++; // control byte of the next literal run
      lit = 0;
      if (op > maxOut + 1) return undefined;
      // Record the positions inside the match so later data can refer to them.
      const end = ip + len;
      for (ip++; ip < end && ip < n - 2; ip++) {
        table[Math.imul((input[ip]! << 16) | (input[ip + 1]! << 8) | input[ip + 2]!, 0x9e3779b1) >>> (32 - HASH_BITS)] = base + ip;
      }
      ip = end;
      continue;
    }
    out[op++] = input[ip++]!;
    if (++lit === MAX_LITERAL) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
      if (op > maxOut + 1) return undefined;
    }
  }
  while (ip < n) {
    out[op++] = input[ip++]!;
    if (++lit === MAX_LITERAL) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  if (lit > 0) out[op - lit - 1] = lit - 1;
  else op--;
  if (op > maxOut) return undefined;
  return out.subarray(0, op);
}

/**
 * Decompresses LZF data that must expand to exactly `outLen` bytes. Throws an Error on data that
 * is not valid LZF or does not have that length.
 */
export function lzfDecompress(input: Uint8Array, outLen: number): Buffer {
  const out = Buffer.allocUnsafe(outLen);
  const n = input.length;
  let ip = 0;
  let op = 0;
  while (ip < n) {
    const ctrl = input[ip++]!;
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (ip + len > n) throw new Error(`LZF: literal run past the end of the input at ${ip - 1}`);
      if (op + len > outLen) throw new Error(`LZF: output longer than ${outLen} bytes`);
      for (let k = 0; k < len; k++) out[op++] = input[ip++]!;
      continue;
    }
    let len = ctrl >>> 5;
    if (len === 7) {
      if (ip >= n) throw new Error(`LZF: truncated back reference at ${ip - 1}`);
      len += input[ip++]!;
    }
    if (ip >= n) throw new Error(`LZF: truncated back reference at ${ip - 1}`);
    let ref = op - ((ctrl & 0x1f) << 8) - input[ip++]! - 1;
    if (ref < 0) throw new Error(`LZF: back reference before the start of the output at ${ip - 1}`);
    len += 2;
    if (op + len > outLen) throw new Error(`LZF: output longer than ${outLen} bytes`);
    for (let k = 0; k < len; k++) out[op++] = out[ref++]!;
  }
  if (op !== outLen) throw new Error(`LZF: output is ${op} bytes, expected ${outLen}`);
  return out;
}
