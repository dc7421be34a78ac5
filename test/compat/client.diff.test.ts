/**
 * CLIENT against a real redis-server 7.0: error texts (unknown subcommand, arity, bad arguments)
 * and replies compared byte for byte, and the command table's CLIENT entries against COMMAND INFO.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';
import type { CommandSpec } from '../../src/commands/command-spec.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

describe.runIf(available)('CLIENT differential against redis-server 7.0', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff.stop());

  it('CLIENT unknown subcommands and arity errors', async () => {
    await diff.compare([
      ['CLIENT'],
      ['CLIENT', 'foo'],
      ['CLIENT', 'foo', 'bar'],
      ['CLIENT', 'ID', 'x'],
      ['CLIENT', 'GETNAME', 'x'],
      ['CLIENT', 'SETNAME'],
      ['CLIENT', 'SETNAME', 'a', 'b'],
      ['CLIENT', 'INFO', 'x'],
      ['CLIENT', 'HELP', 'x'],
      ['CLIENT', 'KILL'],
      ['CLIENT', 'REPLY'],
      ['CLIENT', 'NO-EVICT'],
      ['client', 'Id', 'extra'],
    ]);
  });

  it('CLIENT SETNAME / CLIENT GETNAME replies and errors (RESP2 and RESP3)', async () => {
    const script = [
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'a b'],
      ['CLIENT', 'SETNAME', 'a\r\nb'],
      ['CLIENT', 'SETNAME', '\xff'],
      ['CLIENT', 'SETNAME', 'name-1'],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', ''],
      ['CLIENT', 'GETNAME'],
    ];
    await diff.compare(script);
    await diff.compare(script, { protocol: 3 });
  });

  it('CLIENT PAUSE and CLIENT UNPAUSE errors, and pauses that end at once', async () => {
    await diff.compare([
      ['CLIENT', 'PAUSE'],
      ['CLIENT', 'PAUSE', 'abc'],
      ['CLIENT', 'PAUSE', '1.5'],
      ['CLIENT', 'PAUSE', '-1'],
      ['CLIENT', 'PAUSE', '99999999999999999999'],
      ['CLIENT', 'PAUSE', '10', 'foo'],
      ['CLIENT', 'PAUSE', 'abc', 'foo'],
      ['CLIENT', 'PAUSE', '10', 'write', 'extra'],
      ['client', 'Pause', '0', 'wRiTe'],
      ['CLIENT', 'PAUSE', '0', 'ALL'],
      ['CLIENT', 'PAUSE', '0'],
      ['CLIENT', 'UNPAUSE', 'x'],
      ['CLIENT', 'UNPAUSE'],
      ['SET', 'k', 'v'],
      ['GET', 'k'],
    ]);
  });

  it('CLIENT KILL errors and counts', async () => {
    await diff.compare([
      ['CLIENT', 'KILL', '1.2.3.4:5'],
      ['CLIENT', 'KILL', 'id'],
      ['CLIENT', 'KILL', 'ID', 'x'],
      ['CLIENT', 'KILL', 'ID', '0'],
      ['CLIENT', 'KILL', 'ID', '-1'],
      ['CLIENT', 'KILL', 'ID', '999999'],
      ['CLIENT', 'KILL', 'foo', 'bar'],
      ['CLIENT', 'KILL', 'TYPE', 'foo'],
      ['CLIENT', 'KILL', 'TYPE', 'master'],
      ['CLIENT', 'KILL', 'TYPE', 'slave'],
      ['CLIENT', 'KILL', 'TYPE', 'pubsub'],
      ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
      ['CLIENT', 'KILL', 'USER', 'nobody'],
      ['CLIENT', 'KILL', 'USER', 'default', 'SKIPME', 'yes', 'ID', '999999'],
      ['CLIENT', 'KILL', 'ADDR', '1.1.1.1:1'],
      ['CLIENT', 'KILL', 'LADDR', 'x'],
      ['CLIENT', 'KILL', 'ID', '1', 'foo'],
      ['CLIENT', 'KILL', 'MAXAGE', '10'],
    ]);
  });

  it('CLIENT LIST filter errors and empty results (RESP2 and RESP3)', async () => {
    const script = [
      ['CLIENT', 'LIST', 'TYPE', 'foo'],
      ['CLIENT', 'LIST', 'TYPE', 'master'],
      ['CLIENT', 'LIST', 'TYPE', 'replica'],
      ['CLIENT', 'LIST', 'TYPE', 'SLAVE'],
      ['CLIENT', 'LIST', 'TYPE', 'pubsub'],
      ['CLIENT', 'LIST', 'ID', 'x'],
      ['CLIENT', 'LIST', 'ID', '999999', '0', '-5'],
      ['CLIENT', 'LIST', 'ID', '9223372036854775808'],
      ['CLIENT', 'LIST', 'ID'],
      ['CLIENT', 'LIST', 'TYPE'],
      ['CLIENT', 'LIST', 'foo'],
      ['CLIENT', 'LIST', 'TYPE', 'normal', 'ID', '1'],
      ['CLIENT', 'LIST', 'ID', '1', 'TYPE', 'normal'],
    ];
    await diff.compare(script);
    await diff.compare(script, { protocol: 3 });
  });

  it('CLIENT REPLY, CLIENT NO-EVICT and CLIENT ID replies', async () => {
    await diff.compare([
      ['CLIENT', 'REPLY', 'foo'],
      ['CLIENT', 'REPLY', 'ON'],
      ['CLIENT', 'NO-EVICT', 'x'],
      ['CLIENT', 'NO-EVICT', 'on'],
      ['CLIENT', 'NO-EVICT', 'OFF'],
    ]);
    const { kioku, redis } = await diff.run([['CLIENT', 'ID'], ['CLIENT', 'INFO']]);
    for (const replies of [kioku, redis]) {
      expect(replies[0]).toMatch(/^:\d+\r\n$/);
      const id = replies[0]!.slice(1, -2);
      // The same field names in the same order; values differ (ports, memory).
      const names = /^\$\d+\r\n(.*)\n\r\n$/.exec(replies[1]!)![1]!.split(' ').map((f) => f.split('=')[0]);
      expect(names.join(' ')).toBe(
        'id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp',
      );
      expect(replies[1]).toContain(`id=${id} `);
      expect(replies[1]).toContain(' flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 ');
      expect(replies[1]).toContain(' argv-mem=10 ');
      expect(replies[1]).toContain(' cmd=client|info user=default redir=-1 resp=2\n');
    }
  });

  it('COMMAND INFO of CLIENT and its subcommands matches redis-server', async () => {
    const r = new Redis({ port: diff.oracle!.port, host: '127.0.0.1', protocol: 2, enableReadyCheck: false, lazyConnect: true });
    await r.connect();
    try {
      type Info = [string, number, string[], number, number, number, string[], string[], unknown[], Info[]];
      const [info] = (await r.command('INFO', 'client')) as Info[];
      const summary = (i: Info | CommandSpec) =>
        Array.isArray(i)
          ? { name: i[0], arity: i[1], flags: i[2], keys: [i[3], i[4], i[5]], acl: i[6], tips: i[7] }
          : { name: i.fullName, arity: i.arity, flags: i.flags, keys: [i.firstKey, i.lastKey, i.step], acl: i.acl.map((a) => `@${a}`), tips: i.tips };
      const ours = diff.kioku.server.commands.get('client')!;
      expect(summary(ours)).toEqual(summary(info!));
      const theirs = new Map(info![9].map((s) => [s[0], s]));
      const extra: string[] = [];
      for (const sub of ours.subcommands!.values()) {
        const t = theirs.get(sub.fullName);
        if (t === undefined) extra.push(sub.fullName);
        else expect(summary(sub)).toEqual(summary(t));
      }
      // Redis 7.2's subcommands, as 7.2 declares them.
      expect(extra).toEqual(['client|setinfo', 'client|no-touch']);
      expect(summary(ours.subcommands!.get('setinfo')!)).toEqual({
        name: 'client|setinfo', arity: 4, flags: ['noscript', 'loading', 'stale'], keys: [0, 0, 0], acl: ['@slow', '@connection'], tips: [],
      });
      expect(summary(ours.subcommands!.get('no-touch')!)).toEqual({
        name: 'client|no-touch', arity: 3, flags: ['noscript', 'loading', 'stale'], keys: [0, 0, 0], acl: ['@slow', '@connection'], tips: [],
      });
    } finally {
      r.disconnect();
    }
  });
});
