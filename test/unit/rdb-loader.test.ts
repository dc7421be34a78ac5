/**
 * RdbLoader on files built here from the format description: every opcode (aux, SELECTDB,
 * RESIZEDB, both expiry forms, IDLE, FREQ, FUNCTION2, MODULE_AUX, the pre-GA FUNCTION), the
 * header versions 1..10 (and the refusal of newer ones), checksums (good, zero, wrong, none
 * before version 5), loading in slices, the offset after the checksum (AOF preamble), empty keys
 * dropped, and damaged files failing with an RdbFormatError that names the source.
 */
import { describe, expect, it } from 'vitest';
import { RdbLoader, type RdbLoadTarget } from '../../src/persistence/rdb-loader.js';
import { RdbFormatError, writeValue } from '../../src/persistence/rdb-values.js';
import type { RedisValue } from '../../src/keyspace/redis-value.js';
import { encodingOf } from '../../src/keyspace/redis-value.js';
import { RedisList } from '../../src/datastructures/list.js';
import { RedisSet } from '../../src/datastructures/set.js';
import type { EncodingLimits } from '../../src/server.js';
import { keyRecord, rdbBytes, rdbFile, ziplist } from '../helpers/rdb-builders.js';
import { prng } from '../helpers/prng.js';

const LIMITS: EncodingLimits = {
  hashMaxListpackEntries: 128,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
};

type Event = unknown[];

function collect(): { target: RdbLoadTarget; events: Event[] } {
  const events: Event[] = [];
  const target: RdbLoadTarget = {
    aux: (k, v) => void events.push(['aux', k, v]),
    key: (db, k, v, exp, meta) => void events.push(['key', db, k, show(v), exp, meta]),
    functionLibrary: (code) => void events.push(['function', code]),
  };
  return { target, events };
}

function show(v: RedisValue): unknown {
  if (typeof v === 'string') return v;
  if (v instanceof RedisList) return ['list', v.toArray()];
  if (v instanceof RedisSet) return ['set', encodingOf(v), [...v.members()].sort()];
  return encodingOf(v);
}

function load(buf: Buffer, source = 'dump.rdb'): { events: Event[]; loader: RdbLoader } {
  const { target, events } = collect();
  const loader = new RdbLoader(buf, target, { limits: LIMITS, source });
  expect(loader.step(Infinity)).toBe(true);
  return { events, loader };
}

const op = (fill: Parameters<typeof rdbBytes>[0]) => rdbBytes(fill);
const aux = (k: string, v: string) => op((o) => (o.byte(250), o.string(k), o.string(v)));
const selectDb = (n: number) => op((o) => (o.byte(254), o.length(n)));
const resizeDb = (a: number, b: number) => op((o) => (o.byte(251), o.length(a), o.length(b)));
function int32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n, 0);
  return b;
}
const stringKey = (k: string, v: string, expireMs?: number) => keyRecord(0, k, op((o) => o.string(v)), expireMs);

describe('RdbLoader', () => {
  it('reads aux fields, databases, expiries (ms and s), idle, freq and function libraries in order', () => {
    const file = rdbFile([
      aux('redis-ver', '7.0.15'),
      aux('redis-bits', '64'),
      op((o) => (o.byte(245), o.string("#!lua name=lib\nredis.register_function('f', function() return 1 end)"))),
      selectDb(0),
      resizeDb(3, 1),
      stringKey('plain', 'v'),
      stringKey('ms', 'v', 1_900_000_000_123),
      op((o) => (o.byte(253), o.raw(int32le(1_899_926_400)))), // EXPIRETIME, in seconds
      keyRecord(0, 'sec', op((o) => o.string('v'))),
      selectDb(5),
      op((o) => (o.byte(248), o.length(3600))),
      stringKey('idle', 'x'),
      op((o) => (o.byte(249), o.byte(77))),
      keyRecord(18, 'freq', op((o) => writeValue(o, RedisList.from(['a', 'b'])))),
      stringKey('after', 'no meta'),
    ]);
    const { events, loader } = load(file);
    expect(events).toEqual([
      ['aux', 'redis-ver', '7.0.15'],
      ['aux', 'redis-bits', '64'],
      ['function', "#!lua name=lib\nredis.register_function('f', function() return 1 end)"],
      ['key', 0, 'plain', 'v', undefined, {}],
      ['key', 0, 'ms', 'v', 1_900_000_000_123, {}],
      ['key', 0, 'sec', 'v', 1_899_926_400_000, {}],
      ['key', 5, 'idle', 'x', undefined, { idle: 3600 }],
      ['key', 5, 'freq', ['list', ['a', 'b']], undefined, { freq: 77 }],
      ['key', 5, 'after', 'no meta', undefined, {}],
    ]);
    expect(loader.offset).toBe(file.length);
  });

  it('loads in slices when the deadline has passed, with the same result', () => {
    const records = [selectDb(0)];
    for (let i = 0; i < 1000; i++) records.push(stringKey(`k${i}`, `v${i}`));
    const file = rdbFile(records);
    const { target, events } = collect();
    const loader = new RdbLoader(file, target, { limits: LIMITS, source: 'dump.rdb' });
    let steps = 0;
    let lastOffset = 0;
    while (!loader.step(0)) {
      steps++;
      expect(loader.offset).toBeGreaterThan(lastOffset);
      lastOffset = loader.offset;
    }
    expect(steps).toBeGreaterThan(5);
    expect(events.length).toBe(1000);
    expect(events[999]).toEqual(['key', 0, 'k999', 'v999', undefined, {}]);
    expect(loader.step(0)).toBe(true);
    expect(events.length).toBe(1000);
  });

  it('stops after the checksum: an AOF base continues with RESP there', () => {
    const rdb = rdbFile([selectDb(0), stringKey('a', '1')]);
    const resp = Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n');
    const { loader } = load(Buffer.concat([rdb, resp]));
    expect(loader.offset).toBe(rdb.length);
  });

  it('accepts every version from 1 to 10 and refuses others with Redis messages', () => {
    for (let v = 1; v <= 10; v++) {
      const { events } = load(rdbFile([selectDb(0), stringKey('k', 'v')], v));
      expect(events).toEqual([['key', 0, 'k', 'v', undefined, {}]]);
    }
    expect(() => load(rdbFile([], 11))).toThrow("Can't handle RDB format version 11");
    expect(() => load(Buffer.from('REDIS0000\xff', 'latin1'))).toThrow("Can't handle RDB format version 0");
    expect(() => load(Buffer.from('REDIX0009\xff', 'latin1'))).toThrow('Wrong signature trying to load DB from file');
    expect(() => load(Buffer.from('RED'))).toThrow('Wrong signature trying to load DB from file');
  });

  it('verifies the checksum unless it is zero; files before version 5 have none', () => {
    const records = [selectDb(0), stringKey('k', 'v')];
    expect(load(rdbFile(records, 10, 'zero')).events.length).toBe(1);
    expect(() => load(rdbFile(records, 10, 'bad'))).toThrow(/^dump\.rdb: Wrong RDB checksum expected: \([0-9a-f]+\) got \([0-9a-f]+\) at offset \d+$/);
    const v4 = rdbFile(records, 4);
    expect(load(v4).loader.offset).toBe(v4.length);
    const noSum = rdbFile(records).subarray(0, -8);
    expect(() => load(noSum)).toThrow(/unexpected end of data reading the checksum/);
  });

  it('refuses module aux data (naming the module) and pre-release function records', () => {
    // Module id of "mymodule1" version 3: nine 6-bit characters then a 10-bit version.
    const charset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let id = 0n;
    for (const ch of 'mymodule1') id = (id << 6n) | BigInt(charset.indexOf(ch));
    id = (id << 10n) | 3n;
    const idBytes = Buffer.alloc(9);
    idBytes[0] = 0x81;
    idBytes.writeBigUInt64BE(id, 1);
    const moduleAux = op((o) => (o.byte(247), o.raw(idBytes)));
    expect(() => load(rdbFile([moduleAux]))).toThrow("The RDB file contains AUX module data I can't load: no matching module 'mymodule1'");
    expect(() => load(rdbFile([op((o) => (o.byte(246), o.string('x')))]))).toThrow('Pre-release function format not supported.');
  });

  it('drops keys whose aggregate is empty, as Redis does', () => {
    const file = rdbFile([selectDb(0), keyRecord(2, 'empty', op((o) => o.length(0))), keyRecord(14, 'emptyq', op((o) => (o.length(1), o.blob(ziplist([]))))), stringKey('k', 'v')]);
    expect(load(file).events).toEqual([['key', 0, 'k', 'v', undefined, {}]]);
  });

  it('names the source and offset of damage; truncations and mutations never crash', () => {
    const file = rdbFile([aux('redis-ver', '7.0.15'), selectDb(0), stringKey('k', 'v'), keyRecord(2, 's', op((o) => (o.length(1), o.string('m'))))]);
    expect(() => load(file.subarray(0, file.length - 12), 'appendonly.aof.1.base.rdb')).toThrow(/^appendonly\.aof\.1\.base\.rdb: unexpected end of data .* at offset \d+$/);
    const bad = Buffer.from(file);
    bad[bad.indexOf(Buffer.from([0x02, 0x01, 0x73]))] = 30; // the set's type byte → an unknown type
    expect(() => load(bad)).toThrow(/^dump\.rdb: unknown RDB value type 30 at offset \d+$/);
    const rand = prng(5);
    for (let t = 0; t < 3000; t++) {
      const b = Buffer.from(file);
      if (rand() < 0.5) b[9 + Math.floor(rand() * (b.length - 9))] = Math.floor(rand() * 256);
      const cut = rand() < 0.5 ? b.subarray(0, Math.floor(rand() * b.length)) : b;
      try {
        const { target } = collect();
        new RdbLoader(cut, target, { limits: LIMITS, source: 'x' }).step(Infinity);
      } catch (e) {
        expect(e).toBeInstanceOf(RdbFormatError);
      }
    }
  });
});
