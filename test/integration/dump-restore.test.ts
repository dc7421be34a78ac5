/**
 * DUMP, RESTORE and RESTORE-ASKING over TCP (ioredis; RawConnection for exact error lines), with
 * a ManualClock so TTLs are exact and the propagator captured: round trips of every type ×
 * encoding, every option and error in Redis's order, what is propagated (relative TTL → absolute
 * with ABSTTL, a past TTL → DEL of the replaced key or nothing), IDLETIME / FREQ, keyspace
 * events, and the encoding thresholds applied to restored values.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { ManualClock } from '../../src/clock.js';
import { crc64 } from '../../src/persistence/crc64.js';
import { encodeListpack } from '../../src/persistence/listpack.js';
import { dumpPayload, rdbBytes } from '../helpers/rdb-builders.js';

const T0 = 1_700_000_000_000;
const clock = new ManualClock(T0);
let ts: TestServer;
let r: Redis;
let raw: RawConnection;
let propagated: [number, string[]][] = [];

beforeAll(async () => {
  ts = await startTestServer({}, clock);
  // RESTORE's payload (argument 3) is shown as <payload>; command names lowercased.
  ts.server.propagator.subscribe((db, argv) =>
    propagated.push([db, argv.map((a, i) => (i === 0 ? a.toLowerCase() : i === 3 && argv[0]!.toLowerCase().startsWith('restore') ? '<payload>' : a))]),
  );
  r = await ts.client({ enableReadyCheck: false });
  raw = await RawConnection.connect(ts.port);
});
afterAll(async () => {
  raw.close();
  await ts.stop();
});
beforeEach(async () => {
  for (const db of ts.server.keyspaces) db.flush();
  clock.set(T0);
  await r.config('SET', 'maxmemory-policy', 'noeviction');
  await r.config('SET', 'rdbcompression', 'yes');
  propagated = [];
});

const db0 = () => ts.server.keyspaces[0]!;
const payloadOf = async (key: string) => (await r.dumpBuffer(key))!;
const STRING_PAYLOAD = () => dumpPayload(0, rdbBytes((o) => o.string('value')));

describe('DUMP', () => {
  it('DUMP of a missing key is nil; a payload ends with version 10 and the CRC-64 of the rest', async () => {
    expect(await r.dumpBuffer('missing')).toBeNull();
    expect(await raw.call('DUMP', 'missing')).toBe('$-1\r\n');
    await r.set('k', 'v');
    const p = await payloadOf('k');
    expect(p.toString('hex')).toBe('0001760a00' + crc64(Buffer.from('0001760a00', 'hex')).toString('hex'));
  });

  it('DUMP compresses long strings only while rdbcompression is yes', async () => {
    await r.set('k', 'abc'.repeat(100));
    expect((await payloadOf('k'))[1]).toBe(0xc3);
    await r.config('SET', 'rdbcompression', 'no');
    expect((await payloadOf('k'))[1]).toBe(0x41);
  });

  it('DUMP does not change the key or its TTL, and is not propagated', async () => {
    await r.set('k', 'v', 'PX', 5000);
    propagated = [];
    await payloadOf('k');
    expect(db0().expires.get('k')).toBe(T0 + 5000);
    expect(propagated).toEqual([]);
  });
});

describe('DUMP then RESTORE round trips', () => {
  const setups: [string, () => Promise<unknown>, string][] = [
    ['int string', () => r.set('src', '12345'), 'int'],
    ['embstr string', () => r.set('src', 'hello'), 'embstr'],
    ['raw binary string', () => r.set('src', Buffer.from([0, 255, 13, 10, ...Buffer.from('x'.repeat(60))])), 'raw'],
    ['list', () => r.rpush('src', ...Array.from({ length: 3000 }, (_, i) => `e${i % 7 ? i : -i}`)), 'quicklist'],
    ['listpack hash', () => r.hset('src', 'a', '1', 'b', 'two'), 'listpack'],
    ['hashtable hash', () => r.hset('src', ...Array.from({ length: 1200 }, (_, i) => `f${i}`)), 'hashtable'],
    ['intset', () => r.sadd('src', '5', '-70000', '9223372036854775807'), 'intset'],
    ['hashtable set', () => r.sadd('src', 'a', 'b', '1'), 'hashtable'],
    ['listpack zset', () => r.zadd('src', '1.5', 'a', '-inf', 'b', '3', 'c'), 'listpack'],
    ['skiplist zset', () => r.zadd('src', ...Array.from({ length: 300 }, (_, i) => [String(i / 3), `m${i}`]).flat()), 'skiplist'],
  ];
  for (const [name, setup, encoding] of setups) {
    it(`DUMP and RESTORE a ${name}: same contents and encoding`, async () => {
      await setup();
      const p = await payloadOf('src');
      expect(await r.restore('dst', 0, p)).toBe('OK');
      expect(await r.object('ENCODING', 'dst')).toBe(encoding);
      if (encoding !== 'hashtable') expect(await r.dumpBuffer('dst')).toEqual(p);
      const type = await r.type('src');
      expect(await r.type('dst')).toBe(type);
      const read = async (k: string) =>
        type === 'string' ? r.getBuffer(k)
          : type === 'list' ? r.lrange(k, 0, -1)
            : type === 'hash' ? Object.entries(await r.hgetall(k)).sort()
              : type === 'set' ? (await r.smembers(k)).sort()
                : r.zrange(k, '0', '-1', 'WITHSCORES');
      expect(await read('dst')).toEqual(await read('src'));
    });
  }

  it('RESTORE applies the current encoding thresholds to the value', async () => {
    await r.hset('h', 'a', '1', 'b', '2', 'c', '3');
    const p = await payloadOf('h');
    await r.config('SET', 'hash-max-listpack-entries', '2');
    try {
      await r.restore('h2', 0, p);
      expect(await r.object('ENCODING', 'h2')).toBe('hashtable');
    } finally {
      await r.config('SET', 'hash-max-listpack-entries', '128');
    }
  });
});

describe('RESTORE options and errors', () => {
  it('RESTORE errors come in Redis order: options, BUSYKEY, TTL, payload, data', async () => {
    const p = STRING_PAYLOAD();
    await r.set('k', 'v');
    const err = (...args: (string | Buffer)[]) => raw.call('RESTORE', ...args);
    expect(await err('k', 'abc', p, 'bogus')).toBe('-ERR syntax error\r\n');
    expect(await err('k', 'abc', p)).toBe('-BUSYKEY Target key name already exists.\r\n');
    expect(await err('n', 'abc', p)).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await err('n', '-1', p)).toBe('-ERR Invalid TTL value, must be >= 0\r\n');
    expect(await err('n', '99999999999999999999', p)).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await err('n', '0', 'xx')).toBe('-ERR DUMP payload version or checksum are wrong\r\n');
    expect(await err('k', '0', 'xx', 'REPLACE')).toBe('-ERR DUMP payload version or checksum are wrong\r\n');
    const badCrc = Buffer.from(p);
    badCrc[badCrc.length - 1] ^= 1;
    expect(await err('n', '0', badCrc)).toBe('-ERR DUMP payload version or checksum are wrong\r\n');
    expect(await err('n', '0', dumpPayload(0, rdbBytes((o) => o.string('v')), 11))).toBe('-ERR DUMP payload version or checksum are wrong\r\n');
    const zeroCrc = Buffer.concat([p.subarray(0, -8), Buffer.alloc(8)]);
    expect(await err('n', '0', zeroCrc)).toBe('-ERR DUMP payload version or checksum are wrong\r\n');
    expect(await err('n', '0', dumpPayload(15, Buffer.from([1, 2, 3])))).toBe('-ERR Bad data format\r\n');
    expect(await err('n', '0', dumpPayload(2, Buffer.from([0])))).toBe('-ERR Bad data format\r\n');
    expect(await err('n', '0', dumpPayload(16, rdbBytes((o) => o.blob(encodeListpack(['a', '1', 'a', '2'])))))).toBe('-ERR Bad data format\r\n');
    expect(await err('n', '0', dumpPayload(0, Buffer.from([5, 0x61])))).toBe('-ERR Bad data format\r\n');
    expect(await r.exists('n')).toBe(0);
  });

  it('RESTORE option syntax: IDLETIME and FREQ values, exclusive of each other, missing values', async () => {
    const p = STRING_PAYLOAD();
    const err = (...args: (string | Buffer)[]) => raw.call('RESTORE', 'n', '0', p, ...args);
    expect(await err('IDLETIME', '-1')).toBe('-ERR Invalid IDLETIME value, must be >= 0\r\n');
    expect(await err('IDLETIME', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await err('FREQ', '256')).toBe('-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n');
    expect(await err('FREQ', '-1')).toBe('-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n');
    expect(await err('IDLETIME', '10', 'FREQ', '3')).toBe('-ERR syntax error\r\n');
    expect(await err('FREQ', '3', 'IDLETIME', '10')).toBe('-ERR syntax error\r\n');
    expect(await err('IDLETIME')).toBe('-ERR syntax error\r\n');
    expect(await err('replace', 'REPLACE', 'absttl')).toBe('+OK\r\n');
    expect(await raw.call('RESTORE', 'n', '0')).toBe("-ERR wrong number of arguments for 'restore' command\r\n");
  });

  it('RESTORE REPLACE overwrites any type; without it an existing key is BUSYKEY', async () => {
    await r.rpush('k', 'a');
    await expect(r.restore('k', 0, STRING_PAYLOAD())).rejects.toThrow('BUSYKEY Target key name already exists.');
    expect(await r.restore('k', 0, STRING_PAYLOAD(), 'REPLACE')).toBe('OK');
    expect(await r.get('k')).toBe('value');
  });

  it('RESTORE with a relative TTL sets it from now and propagates the absolute time with ABSTTL', async () => {
    const p = STRING_PAYLOAD();
    await r.restore('k', 5000, p);
    expect(db0().expires.get('k')).toBe(T0 + 5000);
    await r.restore('a', T0 + 9000, p, 'ABSTTL');
    expect(db0().expires.get('a')).toBe(T0 + 9000);
    await r.restore('z', 0, p, 'IDLETIME', '5');
    expect(db0().expires.has('z')).toBe(false);
    expect(propagated).toEqual([
      [0, ['restore', 'k', String(T0 + 5000), '<payload>', 'ABSTTL']],
      [0, ['restore', 'a', String(T0 + 9000), '<payload>', 'ABSTTL']],
      [0, ['restore', 'z', '0', '<payload>', 'IDLETIME', '5']],
    ]);
  });

  it('RESTORE with a TTL already past stores nothing; a REPLACEd key is deleted and that propagates as DEL', async () => {
    const p = STRING_PAYLOAD();
    expect(await r.restore('gone', T0 - 1, p, 'ABSTTL')).toBe('OK');
    expect(await r.exists('gone')).toBe(0);
    await r.set('old', 'x');
    propagated = [];
    expect(await r.restore('old', 1, p, 'REPLACE', 'ABSTTL')).toBe('OK');
    expect(await r.exists('old')).toBe(0);
    // A relative TTL that overflows int64 wraps into the past, as in Redis.
    expect(await r.restore('huge', '9223372036854775807', p)).toBe('OK');
    expect(await r.exists('huge')).toBe(0);
    expect(propagated).toEqual([[0, ['del', 'old']]]);
  });

  it('RESTORE IDLETIME sets OBJECT IDLETIME; FREQ sets OBJECT FREQ under an LFU policy only', async () => {
    const p = STRING_PAYLOAD();
    await r.restore('idle', 0, p, 'IDLETIME', '1000');
    expect(await r.object('IDLETIME', 'idle')).toBe(1000);
    clock.advance(3000);
    expect(await r.object('IDLETIME', 'idle')).toBe(1003);
    await r.restore('f', 0, p, 'FREQ', '100');
    await r.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    await r.restore('lfu', 0, p, 'FREQ', '200');
    expect(await r.object('FREQ', 'lfu')).toBe(200);
    await r.restore('lfu2', 0, p, 'IDLETIME', '50');
    expect(await r.object('FREQ', 'lfu2')).toBe(5);
  });

  it('RESTORE sends the "restore" keyspace event (and "del" for a replaced key that expired)', async () => {
    await r.config('SET', 'notify-keyspace-events', 'KEA');
    const sub = await ts.client({ enableReadyCheck: false });
    const events: string[] = [];
    sub.on('pmessage', (_p: string, channel: string, msg: string) => events.push(`${channel} ${msg}`));
    await sub.psubscribe('__keyevent@0__:*');
    try {
      const p = STRING_PAYLOAD();
      await r.restore('k', 0, p);
      await r.restore('k', 1, p, 'REPLACE', 'ABSTTL');
      await r.ping();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(events).toEqual(['__keyevent@0__:restore k', '__keyevent@0__:del k']);
    } finally {
      await r.config('SET', 'notify-keyspace-events', '');
    }
  });

  it('RESTORE-ASKING behaves as RESTORE (no cluster here)', async () => {
    const p = STRING_PAYLOAD();
    expect(await r.call('RESTORE-ASKING', 'k', '100', p)).toBe('OK');
    expect(await r.get('k')).toBe('value');
    await expect(r.call('RESTORE-ASKING', 'k', '0', p)).rejects.toThrow('BUSYKEY');
    expect(propagated).toEqual([[0, ['restore-asking', 'k', String(T0 + 100), '<payload>', 'ABSTTL']]]);
  });
});
