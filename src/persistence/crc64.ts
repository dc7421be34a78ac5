/**
 * CRC-64/Jones, the checksum Redis puts at the end of RDB files and DUMP payloads: reflected
 * input and output, polynomial 0xad93d23594c935a9, initial value 0, no final xor
 * (check value: crc64("123456789") = 0xe9c6d914c4b8d9ca). Stored little-endian.
 *
 * Speed matters (it runs over whole RDB files of gigabytes), so the 64-bit register is held as two
 * uint32 halves (no BigInt in the loop) and the input is consumed eight bytes per step with
 * slicing-by-8 tables: eight 256-entry tables, each split into a low and a high Uint32Array.
 * Mirrors the role of redis crc64.c; written from the CRC's published parameters.
 */

/** The reflected (bit-reversed) polynomial, as two halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

/** TABLE_LO[k * 256 + b] / TABLE_HI[...]: the effect of byte b followed by k zero bytes. */
const TABLE_LO = new Uint32Array(8 * 256);
const TABLE_HI = new Uint32Array(8 * 256);

(function buildTables(): void {
  for (let b = 0; b < 256; b++) {
    let lo = b;
    let hi = 0;
    for (let bit = 0; bit < 8; bit++) {
      const lsb = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (lsb) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    TABLE_LO[b] = lo;
    TABLE_HI[b] = hi;
  }
  for (let k = 1; k < 8; k++) {
    for (let b = 0; b < 256; b++) {
      // One more zero byte: shift the previous table's value by 8 bits through table 0.
      const pLo = TABLE_LO[(k - 1) * 256 + b]!;
      const pHi = TABLE_HI[(k - 1) * 256 + b]!;
      const idx = pLo & 0xff;
      TABLE_LO[k * 256 + b] = (((pLo >>> 8) | (pHi << 24)) ^ TABLE_LO[idx]!) >>> 0;
      TABLE_HI[k * 256 + b] = ((pHi >>> 8) ^ TABLE_HI[idx]!) >>> 0;
    }
  }
})();

/** An incremental CRC-64/Jones. */
export class Crc64 {
  private lo = 0;
  private hi = 0;

  /** Feeds more bytes. */
  update(buf: Uint8Array): this {
    let lo = this.lo;
    let hi = this.hi;
    const n = buf.length;
    let i = 0;
    const T_LO = TABLE_LO;
    const T_HI = TABLE_HI;
    for (const end8 = n - (n & 7); i < end8; i += 8) {
      const a = (lo ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24))) >>> 0;
      const b = (hi ^ (buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24))) >>> 0;
      const i7 = 7 * 256 + (a & 0xff);
      const i6 = 6 * 256 + ((a >>> 8) & 0xff);
      const i5 = 5 * 256 + ((a >>> 16) & 0xff);
      const i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (b & 0xff);
      const i2 = 2 * 256 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      lo = T_LO[i7]! ^ T_LO[i6]! ^ T_LO[i5]! ^ T_LO[i4]! ^ T_LO[i3]! ^ T_LO[i2]! ^ T_LO[i1]! ^ T_LO[i0]!;
      hi = T_HI[i7]! ^ T_HI[i6]! ^ T_HI[i5]! ^ T_HI[i4]! ^ T_HI[i3]! ^ T_HI[i2]! ^ T_HI[i1]! ^ T_HI[i0]!;
    }
    for (; i < n; i++) {
      const idx = (lo ^ buf[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ T_LO[idx]!;
      hi = (hi >>> 8) ^ T_HI[idx]!;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  /** The checksum of everything fed so far: 8 bytes, little-endian (as RDB files store it). */
  digest(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32LE(this.lo >>> 0, 0);
    out.writeUInt32LE(this.hi >>> 0, 4);
    return out;
  }
}

/** CRC-64/Jones of one buffer, 8 bytes little-endian. */
export function crc64(buf: Uint8Array): Buffer {
  return new Crc64().update(buf).digest();
}
