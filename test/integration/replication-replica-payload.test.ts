/**
 * The full-sync payload reader of the replica side (replica-sync.ts SyncPayload): both forms a
 * primary sends (`$<len>\r\n` + bytes, and `$EOF:<40 bytes>\r\n` ... the same 40 bytes), with
 * `\n` keepalives first, cut into two pieces at every byte boundary and fed a byte at a time; the
 * stream bytes after the payload come back untouched; a primary's error line is reported.
 */
import { describe, expect, it } from 'vitest';
import { SyncPayload } from '../../src/replication/replica-sync.js';

const RDB = Buffer.from('REDIS0010\xfa\x09redis-ver\x067.0.15\xff12345678', 'latin1');
const STREAM = Buffer.from('*1\r\n$4\r\nPING\r\n', 'latin1');
const MARK = '0123456789abcdefghij0123456789ABCDEFGHIJ';

/** Feeds `pieces` in order; the result and the log lines. */
function feed(pieces: Buffer[]): { result: { rdb: Buffer; rest: Buffer } | undefined; log: string[]; p: SyncPayload } {
  const p = new SyncPayload();
  const log: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const r = p.push(pieces[i]!, (l) => log.push(l));
    if (r !== undefined) {
      // Whatever was not yet fed also follows the payload.
      return { result: { rdb: r.rdb, rest: Buffer.concat([r.rest, ...pieces.slice(i + 1)]) }, log, p };
    }
  }
  return { result: undefined, log, p };
}

function splits(all: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let cut = 0; cut <= all.length; cut++) out.push([all.subarray(0, cut), all.subarray(cut)]);
  out.push([...all].map((b) => Buffer.from([b])));
  return out;
}

describe('SyncPayload', () => {
  const forms: [string, Buffer, string][] = [
    ['$<len>', Buffer.concat([Buffer.from(`\n\n$${RDB.length}\r\n`), RDB, STREAM]), `MASTER <-> REPLICA sync: receiving ${RDB.length} bytes from master to disk`],
    ['$EOF:<mark>', Buffer.concat([Buffer.from(`\n$EOF:${MARK}\r\n`), RDB, Buffer.from(MARK), STREAM]), 'MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk'],
  ];
  for (const [name, all, line] of forms) {
    it(`reads the ${name} form cut at every byte boundary and a byte at a time`, () => {
      for (const pieces of splits(all)) {
        const { result, log } = feed(pieces);
        expect(result?.rdb.toString('latin1')).toBe(RDB.toString('latin1'));
        expect(result?.rest.toString('latin1')).toBe(STREAM.toString('latin1'));
        expect(log).toEqual([line]);
      }
    });
  }

  it('reports the sizes INFO shows while receiving', () => {
    const p = new SyncPayload();
    expect([p.totalBytes, p.readBytes]).toEqual([-1, 0]);
    p.push(Buffer.from(`$${RDB.length}\r\n`), () => {});
    p.push(RDB.subarray(0, 5), () => {});
    expect([p.totalBytes, p.readBytes]).toEqual([RDB.length, 5]);
    const e = new SyncPayload();
    e.push(Buffer.concat([Buffer.from(`$EOF:${MARK}\r\n`), RDB.subarray(0, 7)]), () => {});
    expect([e.totalBytes, e.readBytes]).toEqual([0, 7]);
  });

  it('throws the log line for an error from the primary or a bad announcement', () => {
    expect(() => new SyncPayload().push(Buffer.from('-ERR no way\r\n'), () => {})).toThrow(/^MASTER aborted replication with an error: ERR no way$/);
    expect(() => new SyncPayload().push(Buffer.from('+OK\r\n'), () => {})).toThrow(
      /^Bad protocol from MASTER, the first byte is not '\$' \(we received '\+OK'\), are you sure the host and port are right\?$/,
    );
  });
});
