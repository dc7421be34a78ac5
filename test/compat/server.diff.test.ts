/**
 * Differential tests for the server family: replies whose bytes do not depend on time, memory or
 * ports go to Kioku and to a real redis-server 7.0 and must be identical, in RESP2 and RESP3.
 * Skips (saying so) when redis-server is not installed.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

describe.runIf(available)('server commands against redis-server 7.0 (RESP2 and RESP3)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff?.stop());

  const both = async (script: string[][]) => {
    for (const protocol of [2, 3] as const) await diff.compare(script, { protocol });
  };

  it('INFO with unknown, empty and fixed sections (INFO nosuch, INFO modules, INFO cluster)', async () => {
    await both([['INFO', 'nosuch'], ['INFO', 'modules'], ['INFO', 'cluster'], ['INFO', 'Cluster', 'nosuch']]);
  });

  it('SLOWLOG HELP, SLOWLOG GET/LEN argument errors, SLOWLOG RESET', async () => {
    await both([
      ['SLOWLOG', 'HELP'], ['SLOWLOG', 'GET', '-2'], ['SLOWLOG', 'GET', 'x'], ['SLOWLOG', 'GET', '1', '2'],
      ['SLOWLOG', 'LEN', 'x'], ['SLOWLOG', 'nosuch'], ['SLOWLOG', 'RESET'], ['SLOWLOG', 'GET', '0'],
    ]);
  });

  it('COMMAND HELP, COMMAND GETKEYS / COMMAND GETKEYSANDFLAGS errors and results, COMMAND LIST errors', async () => {
    await both([
      ['COMMAND', 'HELP'], ['COMMAND', 'GETKEYS', 'nosuch', 'a'], ['COMMAND', 'GETKEYS', 'get', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'ping', 'x'], ['COMMAND', 'GETKEYS', 'get'], ['COMMAND', 'GETKEYS', 'get', 'k'],
      ['COMMAND', 'GETKEYS', 'slowlog', 'get'], ['COMMAND', 'GETKEYS', 'slowlog', 'nosuch'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'get', 'k'], ['COMMAND', 'GETKEYSANDFLAGS', 'mset', 'a', '1', 'b', '2'],
      ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'], ['COMMAND', 'LIST', 'FILTERBY'], ['COMMAND', 'LIST', 'x'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'time'], ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuch'],
      ['COMMAND', 'INFO', 'nosuch'], ['COMMAND', 'DOCS', 'nosuch'], ['COMMAND', 'DOCS', 'time', 'lastsave', 'monitor'],
      ['COMMAND', 'COUNT', 'x'], ['COMMAND', 'nosuch'],
    ]);
  });

  it('DEBUG PROTOCOL types, DEBUG errors, DEBUG SLEEP 0, DEBUG OBJECT of a missing key, DEBUG SET-ACTIVE-EXPIRE', async () => {
    const types = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'verbatim', 'true', 'false', 'nosuch'];
    await both([
      ...types.map((t) => ['DEBUG', 'PROTOCOL', t]),
      ['DEBUG', 'nosuch'], ['DEBUG', 'SLEEP'], ['DEBUG', 'SLEEP', '0'], ['DEBUG', 'OBJECT', 'nokey'],
      ['DEBUG', 'OBJECT', 'a', 'b'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
      ['DEBUG', 'CHANGE-REPL-ID'], ['DEBUG', 'ERROR', 'MYERR boom'], ['DEBUG', 'LOG', 'hello'], ['DEBUG'],
    ]);
    await diff.compare([['DEBUG', 'PROTOCOL', 'push']], { protocol: 2 });
  });

  it('DEBUG POPULATE: prefixes, sizes (cut and zero-padded), existing keys kept, errors', async () => {
    await both([
      ['FLUSHALL'], ['SET', 'key:2', 'mine'], ['DEBUG', 'POPULATE', '4'], ['MGET', 'key:0', 'key:2', 'key:3', 'key:4'], ['DBSIZE'],
      ['DEBUG', 'POPULATE', '3', 'p', '10'], ['MGET', 'p:0', 'p:2'], ['DEBUG', 'POPULATE', '2', 'q', '3'], ['GET', 'q:1'],
      ['DEBUG', 'POPULATE', '1', 'z', '0'], ['GET', 'z:0'], ['DEBUG', 'POPULATE', '0'], ['DEBUG', 'POPULATE', '-1'],
      ['DEBUG', 'POPULATE', 'abc'], ['DEBUG', 'POPULATE', '1', 'p', '-1'], ['DEBUG', 'POPULATE', '1', 'p', '1', 'x'],
      ['DEBUG', 'POPULATE'], ['DBSIZE'], ['FLUSHALL'],
    ]);
  });

  it('SHUTDOWN ABORT and SHUTDOWN option errors', async () => {
    await both([['SHUTDOWN', 'ABORT'], ['SHUTDOWN', 'x'], ['SHUTDOWN', 'NOSAVE', 'SAVE'], ['SHUTDOWN', 'ABORT', 'NOW']]);
  });

  it('FUNCTION LIST, FUNCTION FLUSH, SCRIPT EXISTS and SCRIPT FLUSH over empty registries, with their errors', async () => {
    await both([
      ['FUNCTION', 'LIST'], ['FUNCTION', 'LIST', 'WITHCODE'], ['FUNCTION', 'LIST', 'LIBRARYNAME'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME', 'x*', 'WITHCODE'], ['FUNCTION', 'LIST', 'foo'],
      ['FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE'], ['FUNCTION', 'FLUSH'], ['FUNCTION', 'FLUSH', 'ASYNC'],
      ['FUNCTION', 'FLUSH', 'x'], ['FUNCTION', 'FLUSH', 'SYNC', 'x'], ['FUNCTION', 'nosuch'],
      ['SCRIPT', 'EXISTS', 'a', 'b'], ['SCRIPT', 'FLUSH'], ['SCRIPT', 'FLUSH', 'SYNC'], ['SCRIPT', 'FLUSH', 'x'],
      ['SCRIPT', 'FLUSH', 'SYNC', 'x'], ['SCRIPT', 'EXISTS'],
    ]);
  });

  it('TIME and LASTSAVE reply shapes (values masked), MONITOR answers OK', async () => {
    const mask = (r: string) => r.replace(/\d+/g, 'N');
    await diff.compare([['TIME'], ['LASTSAVE'], ['TIME', 'x']], { normalize: mask });
    await diff.compare([['MONITOR']]);
  });
});
