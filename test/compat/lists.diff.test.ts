/**
 * Differential tests for the list commands: the same scripts go to Kioku and to a real
 * redis-server 7.0, and the raw replies must be byte-identical, in RESP2 and in RESP3. Lists have
 * one order, so nothing is sorted before comparing. Blocking commands are compared where they do
 * not wait (served at once, argument errors, and the immediate timeout of a tiny float).
 * Skips (saying so) when redis-server is not installed.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';
import { prng } from '../helpers/prng.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

type Script = string[][];

const LLONG_MAX = '9223372036854775807';
const LLONG_MIN = '-9223372036854775808';

/** Runs a script in RESP2 and RESP3, starting each run from empty databases. */
async function compareBoth(diff: Differential, script: Script): Promise<void> {
  for (const protocol of [2, 3] as const) {
    for (const db of diff.kioku.server.keyspaces) db.flush();
    await diff.compare(script, { protocol });
  }
}

describe.runIf(available)('list commands against redis-server 7.0 (RESP2 and RESP3)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff?.stop());

  it('LPUSH RPUSH LPUSHX RPUSHX LLEN LRANGE: order, lengths, missing keys, wrong types, arity', async () => {
    await compareBoth(diff, [
      ['LPUSH', 'l', 'a', 'b', 'c'], ['RPUSH', 'l', 'd', 'e'], ['LRANGE', 'l', '0', '-1'], ['LLEN', 'l'],
      ['LPUSHX', 'l', 'x', 'y'], ['RPUSHX', 'l', 'z'], ['LRANGE', 'l', '0', '-1'],
      ['LPUSHX', 'none', 'x'], ['RPUSHX', 'none', 'x'], ['EXISTS', 'none'], ['LLEN', 'none'],
      ['LPUSH', 'l'], ['RPUSHX', 'l'], ['LLEN'], ['LLEN', 'l', 'x'],
      ['SET', 's', 'v'], ['LPUSH', 's', 'a'], ['RPUSH', 's', 'a'], ['LPUSHX', 's', 'a'], ['RPUSHX', 's', 'a'], ['LLEN', 's'],
      ['LRANGE', 's', '0', '-1'], ['LRANGE', 's', 'x', '1'], ['TYPE', 'l'], ['OBJECT', 'ENCODING', 'l'],
      ['RPUSH', 'bin', '', '\x00\xff\r\n', 'é'], ['LRANGE', 'bin', '0', '-1'],
    ]);
  });

  it('LRANGE LINDEX: every index form (negative, out of range, int64 limits, non-integers)', async () => {
    const idx = ['0', '1', '4', '5', '6', '-1', '-5', '-6', '-100', '100', LLONG_MAX, LLONG_MIN, '9223372036854775808',
      '+1', '01', '-0', '1.0', 'x', ''];
    const script: Script = [['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e']];
    for (const i of idx) {
      script.push(['LINDEX', 'l', i], ['LINDEX', 'none', i], ['LRANGE', 'none', i, '1']);
      for (const j of ['0', '2', '-1', '-3', '-6', '10', LLONG_MAX, LLONG_MIN, 'x']) script.push(['LRANGE', 'l', i, j]);
    }
    script.push(['SET', 's', 'v'], ['LINDEX', 's', '0'], ['LINDEX', 's', 'x'], ['LINDEX', 'l'], ['LRANGE', 'l', '0']);
    await compareBoth(diff, script);
  });

  it('LPOP RPOP with and without COUNT: nil shapes, count forms, deletion of the emptied key', async () => {
    const script: Script = [];
    for (const cmd of ['LPOP', 'RPOP']) {
      script.push(
        ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
        [cmd, 'l'], [cmd, 'l', '0'], [cmd, 'l', '2'], [cmd, 'l', '1'], [cmd, 'l', '10'], ['EXISTS', 'l'],
        [cmd, 'l'], [cmd, 'l', '0'], [cmd, 'l', '3'], [cmd, 'none'], [cmd, 'none', '0'],
        ['RPUSH', 'l', 'a', 'b'], [cmd, 'l', LLONG_MAX], ['EXISTS', 'l'],
        ['RPUSH', 'l', 'a'], [cmd, 'l', '-1'], [cmd, 'l', 'x'], [cmd, 'l', '1.5'], [cmd, 'l', '9223372036854775808'],
        [cmd, 'l', LLONG_MIN], [cmd, 'l', '1', '2'], [cmd],
        ['SET', 's', 'v'], [cmd, 's'], [cmd, 's', '1'], [cmd, 's', '0'], [cmd, 's', 'x'], [cmd, 's', '-1'],
        ['FLUSHALL'],
      );
    }
    await compareBoth(diff, script);
  });

  it('LSET LINSERT LREM LTRIM: errors in Redis order, edge indexes, deletion when emptied', async () => {
    await compareBoth(diff, [
      ['RPUSH', 'l', 'a', 'b', 'c', 'b', 'a'],
      ['LSET', 'l', '0', 'A'], ['LSET', 'l', '-1', 'Z'], ['LSET', 'l', '5', 'x'], ['LSET', 'l', '-6', 'x'],
      ['LSET', 'l', 'x', 'y'], ['LSET', 'none', '0', 'x'], ['LSET', 'none', 'x', 'y'], ['LSET', 'l', LLONG_MIN, 'x'],
      ['LRANGE', 'l', '0', '-1'],
      ['LINSERT', 'l', 'BEFORE', 'b', 'x'], ['LINSERT', 'l', 'after', 'b', 'y'], ['LINSERT', 'l', 'AFTER', 'Z', 'end'],
      ['LINSERT', 'l', 'before', 'A', 'start'], ['LINSERT', 'l', 'before', 'nope', 'x'], ['LINSERT', 'l', 'middle', 'b', 'x'],
      ['LINSERT', 'none', 'before', 'a', 'x'], ['LINSERT', 'none', 'middle', 'a', 'x'], ['EXISTS', 'none'],
      ['LRANGE', 'l', '0', '-1'],
      ['RPUSH', 'r', 'a', 'b', 'a', 'c', 'a', 'b', 'a'],
      ['LREM', 'r', '1', 'a'], ['LRANGE', 'r', '0', '-1'], ['LREM', 'r', '-2', 'a'], ['LRANGE', 'r', '0', '-1'],
      ['LREM', 'r', '0', 'b'], ['LRANGE', 'r', '0', '-1'], ['LREM', 'r', '0', 'zz'], ['LREM', 'r', 'x', 'a'],
      ['LREM', 'r', LLONG_MIN, 'a'], ['LREM', 'r', '0', 'c'], ['LREM', 'r', '0', 'a'], ['EXISTS', 'r'], ['LREM', 'none', '0', 'a'],
      ['RPUSH', 't', '1', '2', '3', '4', '5', '6', '7'],
      ['LTRIM', 't', '1', '-2'], ['LRANGE', 't', '0', '-1'], ['LTRIM', 't', '-100', '100'], ['LRANGE', 't', '0', '-1'],
      ['LTRIM', 't', '2', '2'], ['LRANGE', 't', '0', '-1'], ['LTRIM', 't', 'x', '1'], ['LTRIM', 't', '1', '0'], ['EXISTS', 't'],
      ['LTRIM', 'none', '0', '1'], ['LTRIM', 'none', 'x', '1'],
      ['SET', 's', 'v'], ['LSET', 's', '0', 'x'], ['LSET', 's', 'x', 'y'], ['LINSERT', 's', 'before', 'a', 'x'],
      ['LINSERT', 's', 'middle', 'a', 'x'], ['LREM', 's', '0', 'a'], ['LREM', 's', 'x', 'a'], ['LTRIM', 's', '0', '1'],
      ['LTRIM', 's', 'x', '1'],
    ]);
  });

  it('LPOS: RANK COUNT MAXLEN in every combination, and every error text', async () => {
    const script: Script = [['RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'c', 'a', 'b']];
    const ranks = [[], ['RANK', '1'], ['RANK', '2'], ['RANK', '-1'], ['RANK', '-3'], ['RANK', '4'], ['RANK', LLONG_MAX],
      ['RANK', LLONG_MIN], ['RANK', '-9223372036854775807']];
    const counts = [[], ['COUNT', '0'], ['COUNT', '1'], ['COUNT', '2'], ['COUNT', '10']];
    const maxlens = [[], ['MAXLEN', '0'], ['MAXLEN', '1'], ['MAXLEN', '4'], ['MAXLEN', '100']];
    for (const el of ['a', 'b', 'zz']) {
      for (const r of ranks) for (const c of counts) for (const m of maxlens) script.push(['LPOS', 'l', el, ...r, ...c, ...m]);
    }
    script.push(
      ['LPOS', 'l', 'a', 'RANK', '0'], ['LPOS', 'l', 'a', 'RANK', 'x'], ['LPOS', 'l', 'a', 'RANK', '9223372036854775808'],
      ['LPOS', 'l', 'a', 'COUNT', '-1'], ['LPOS', 'l', 'a', 'COUNT', 'x'], ['LPOS', 'l', 'a', 'COUNT', '9223372036854775808'],
      ['LPOS', 'l', 'a', 'MAXLEN', '-1'], ['LPOS', 'l', 'a', 'MAXLEN', 'x'], ['LPOS', 'l', 'a', 'FOO', '1'],
      ['LPOS', 'l', 'a', 'RANK'], ['LPOS', 'l', 'a', 'COUNT'], ['LPOS', 'l', 'a', 'rank', '2', 'RANK', '1'],
      ['LPOS', 'l', 'a', 'count', '1', 'COUNT', '0'], ['LPOS', 'l'],
      ['LPOS', 'none', 'a'], ['LPOS', 'none', 'a', 'COUNT', '0'], ['LPOS', 'none', 'a', 'RANK', '0'],
      ['SET', 's', 'v'], ['LPOS', 's', 'a'], ['LPOS', 's', 'a', 'COUNT', '1'], ['LPOS', 's', 'a', 'RANK', '0'],
      ['LPOS', 's', 'a', 'FOO'],
    );
    await compareBoth(diff, script);
  });

  it('LMOVE RPOPLPUSH: every direction, same key rotation, missing source, wrong types', async () => {
    const script: Script = [['RPUSH', 'src', '1', '2', '3', '4']];
    for (const from of ['LEFT', 'RIGHT', 'left']) {
      for (const to of ['LEFT', 'RIGHT', 'Right']) {
        script.push(['LMOVE', 'src', 'dst', from, to], ['LRANGE', 'src', '0', '-1'], ['LRANGE', 'dst', '0', '-1']);
        script.push(['LMOVE', 'dst', 'dst', from, to], ['LRANGE', 'dst', '0', '-1']);
      }
    }
    script.push(
      ['RPOPLPUSH', 'dst', 'src'], ['RPOPLPUSH', 'src', 'src'], ['LRANGE', 'src', '0', '-1'],
      ['DEL', 'src'], ['RPUSH', 'one', 'x'], ['LMOVE', 'one', 'one', 'LEFT', 'RIGHT'], ['LRANGE', 'one', '0', '-1'],
      ['LMOVE', 'one', 'new', 'LEFT', 'LEFT'], ['EXISTS', 'one'], ['LRANGE', 'new', '0', '-1'],
      ['LMOVE', 'none', 'dst', 'LEFT', 'LEFT'], ['RPOPLPUSH', 'none', 'dst'], ['EXISTS', 'none'],
      ['LMOVE', 'new', 'dst', 'UP', 'LEFT'], ['LMOVE', 'new', 'dst', 'LEFT', 'DOWN'],
      ['SET', 's', 'v'], ['LMOVE', 'new', 's', 'LEFT', 'LEFT'], ['LRANGE', 'new', '0', '-1'], ['LMOVE', 's', 'new', 'LEFT', 'LEFT'],
      ['LMOVE', 'none', 's', 'LEFT', 'LEFT'], ['LMOVE', 's', 'new', 'UP', 'LEFT'], ['RPOPLPUSH', 'new', 's'], ['RPOPLPUSH', 's', 'new'],
      ['RPOPLPUSH', 'none', 's'], ['LMOVE', 'a', 'b', 'LEFT'], ['RPOPLPUSH', 'a'],
    );
    await compareBoth(diff, script);
  });

  it('LMPOP: numkeys, LEFT|RIGHT, COUNT, first non-empty key, wrong types, every error text', async () => {
    await compareBoth(diff, [
      ['RPUSH', 'l1', 'a', 'b', 'c'], ['RPUSH', 'l2', 'x', 'y'],
      ['LMPOP', '2', 'none', 'l1', 'LEFT'], ['LMPOP', '2', 'none', 'l1', 'right', 'COUNT', '1'],
      ['LMPOP', '3', 'none', 'l1', 'l2', 'LEFT', 'COUNT', '10'], ['EXISTS', 'l1'], ['LMPOP', '2', 'l1', 'l2', 'RIGHT', 'count', '5'],
      ['LMPOP', '1', 'none', 'LEFT'], ['LMPOP', '1', 'none', 'LEFT', 'COUNT', '2'],
      ['LMPOP', '0', 'l', 'LEFT'], ['LMPOP', '-1', 'l', 'LEFT'], ['LMPOP', 'x', 'l', 'LEFT'], ['LMPOP', '99999999999999999999', 'l', 'LEFT'],
      ['LMPOP', '2', 'l', 'LEFT'], ['LMPOP', '2147483648', 'l', 'LEFT'], ['LMPOP', '1', 'l', 'MIDDLE'],
      ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '0'], ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '-1'], ['LMPOP', '1', 'l', 'LEFT', 'COUNT', 'x'],
      ['LMPOP', '1', 'l', 'LEFT', 'COUNT'], ['LMPOP', '1', 'l', 'LEFT', 'FOO'], ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '1', 'COUNT', '2'],
      ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '9223372036854775808'], ['LMPOP', '1', 'l'],
      ['SET', 's', 'v'], ['RPUSH', 'l3', 'z'], ['LMPOP', '1', 's', 'LEFT'], ['LMPOP', '2', 'none', 's', 'LEFT'],
      ['LMPOP', '2', 'l3', 's', 'LEFT'], ['LMPOP', '1', 's', 'LEFT', 'COUNT', '0'], ['LMPOP', '1', 's', 'MIDDLE'],
      ['COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT'], ['COMMAND', 'GETKEYS', 'BLMPOP', '0', '1', 'a', 'LEFT', 'COUNT', '2'],
    ]);
  });

  it('BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP: served at once, argument errors in Redis order, short timeouts', async () => {
    await compareBoth(diff, [
      ['RPUSH', 'l1', 'a', 'b', 'c'], ['SET', 's', 'v'],
      ['BLPOP', 'none', 'l1', '0'], ['BRPOP', 'none', 'l1', '1.5'], ['BLPOP', 'l1', 's', '0'], ['BLPOP', 'none', 's', '0'],
      ['BLPOP', 's', '1'], ['BLPOP', 's', 'x'], ['BLPOP', 'l1', 'x'], ['BLPOP', 'l1', '-1'], ['BLPOP', 'l1', 'inf'],
      ['BLPOP', 'l1', '1e400'], ['BLPOP', 'l1', 'nan'], ['BLPOP', 'none', '0.001'], ['BRPOP', 'none', '0.001'],
      ['BLPOP', 'l1'],
      ['RPUSH', 'l2', '1', '2', '3'],
      ['BLMOVE', 'l2', 'd', 'LEFT', 'RIGHT', '0'], ['BLMOVE', 'l2', 'd', 'RIGHT', 'LEFT', '0.5'], ['LRANGE', 'd', '0', '-1'],
      ['BLMOVE', 'l2', 'd', 'MIDDLE', 'LEFT', 'x'], ['BLMOVE', 'l2', 'd', 'LEFT', 'LEFT', 'x'], ['BLMOVE', 'l2', 'd', 'LEFT', 'LEFT', '-1'],
      ['BLMOVE', 'l2', 's', 'LEFT', 'LEFT', '0'], ['BLMOVE', 's', 'd', 'LEFT', 'LEFT', '0'], ['BLMOVE', 'none', 'd', 'LEFT', 'LEFT', '0.001'],
      ['BLMOVE', 'none', 's', 'LEFT', 'LEFT', '0.001'],
      ['BRPOPLPUSH', 'l2', 'd', '0'], ['BRPOPLPUSH', 'd', 'd', '0'], ['LRANGE', 'd', '0', '-1'], ['BRPOPLPUSH', 'none', 'd', '0.001'],
      ['BRPOPLPUSH', 'd', 's', '0'], ['BRPOPLPUSH', 's', 'd', '0'], ['BRPOPLPUSH', 'd', 'x', 'x'], ['BRPOPLPUSH', 'd', 'x', '-1'],
      ['RPUSH', 'l3', 'a', 'b', 'c'],
      ['BLMPOP', '0', '2', 'none', 'l3', 'LEFT'], ['BLMPOP', '0', '1', 'l3', 'RIGHT', 'COUNT', '5'], ['BLMPOP', '0.001', '1', 'l3', 'LEFT'],
      ['BLMPOP', 'x', '1', 'l3', 'LEFT'], ['BLMPOP', '-1', '1', 'l3', 'LEFT'], ['BLMPOP', 'x', '0', 'l3', 'LEFT'],
      ['BLMPOP', '-1', '0', 'l3', 'LEFT'], ['BLMPOP', 'x', '1', 'l3', 'MIDDLE'], ['BLMPOP', 'x', '1', 'l3', 'LEFT', 'COUNT', '0'],
      ['BLMPOP', 'x', '5', 'l3', 'LEFT'], ['BLMPOP', 'x', '1', 's', 'LEFT'], ['BLMPOP', '0', '1', 's', 'LEFT'],
      ['BLMPOP', '0', '2', 'none', 's', 'LEFT'], ['BLMPOP', '0', '1', 'l3'],
    ]);
  });

  it('random scripts of list commands', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const rnd = prng(seed * 104729);
      const int = (n: number) => Math.floor(rnd() * n);
      const key = () => ['k1', 'k2', 'k3'][int(3)]!;
      const el = () => ['a', 'b', 'c', '1', '', 'long-element-' + 'x'.repeat(int(3) * 40)][int(6)]!;
      const idx = () => String(int(14) - 7);
      const side = () => (int(2) === 0 ? 'LEFT' : 'RIGHT');
      const script: Script = [];
      for (let i = 0; i < 300; i++) {
        const k = key();
        switch (int(16)) {
          case 0: script.push(['LPUSH', k, el(), el()]); break;
          case 1: script.push(['RPUSH', k, el(), el(), el()]); break;
          case 2: script.push([int(2) ? 'LPUSHX' : 'RPUSHX', k, el()]); break;
          case 3: script.push(int(2) ? ['LPOP', k] : ['RPOP', k, String(int(4))]); break;
          case 4: script.push(['LRANGE', k, idx(), idx()]); break;
          case 5: script.push(['LINDEX', k, idx()]); break;
          case 6: script.push(['LSET', k, idx(), el()]); break;
          case 7: script.push(['LINSERT', k, int(2) ? 'BEFORE' : 'AFTER', el(), el()]); break;
          case 8: script.push(['LREM', k, idx(), el()]); break;
          case 9: script.push(['LTRIM', k, idx(), idx()]); break;
          case 10: script.push(['LPOS', k, el(), 'RANK', String(int(2) ? 1 + int(3) : -1 - int(3)), 'COUNT', String(int(3)), 'MAXLEN', String(int(6))]); break;
          case 11: script.push(['LMOVE', k, key(), side(), side()]); break;
          case 12: script.push(['RPOPLPUSH', k, key()]); break;
          case 13: script.push(['LMPOP', '2', k, key(), side(), 'COUNT', String(1 + int(3))]); break;
          case 14: script.push(['LLEN', k]); break;
          case 15: script.push(int(4) === 0 ? ['SET', k, 'str'] : ['LRANGE', k, '0', '-1']); break;
        }
      }
      for (const k of ['k1', 'k2', 'k3']) script.push(['TYPE', k], ['LRANGE', k, '0', '-1']);
      await compareBoth(diff, script);
    }
  });
});
