/**
 * Differential tests for CONFIG: every parameter's name and default value, CONFIG SET's
 * validation errors for every typed parameter, and the canonical form of set values, compared
 * byte for byte with a fresh redis-server 7.0 (started with --save '' --enable-debug-command yes,
 * so Kioku is given the same two settings). Skips, saying so, when redis-server is not installed.
 *
 * COMPAT: the documented differences, masked below:
 * - port: both servers listen on their own free port.
 * - maxclients: Redis lowers it to what the open-files limit allows; Kioku does not.
 * - maxmemory-clients with a value past 2^64: Redis's overflow shows "1%"; Kioku saturates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../../src/config.js';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

/** Masks the values that legitimately differ (see COMPAT above). */
function normalize(reply: string): string {
  return reply.replace(/^(\*2\r\n\$(?:4\r\nport|10\r\nmaxclients)\r\n)\$\d+\r\n\d+\r\n$/, '$1<masked>');
}

/** Every parameter's names (canonical and aliases), from Kioku's table. */
const allNames = Config.all().filter((p) => !p.hidden).flatMap((p) => [p.name, ...p.aliases]);

/** Parameters with a typed value (a bad value is refused), excluding those whose change would cut the test off. */
const typed = Config.all().filter((p) => {
  if (p.immutable || ['port', 'bind', 'maxclients', 'dir', 'maxmemory-clients'].includes(p.name)) return false;
  try {
    p.parse(['xyz!'], p.default);
    return false;
  } catch {
    return true;
  }
});

describe.runIf(available)('CONFIG against redis-server 7.0', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential({ save: '', 'enable-debug-command': 'yes' });
  });
  afterAll(async () => diff?.stop());

  it('CONFIG GET * lists the same parameter names (with aliases) on both', async () => {
    const { kioku, redis } = await diff.run([['CONFIG', 'GET', '*']]);
    const names = (raw: string) => raw.split('\r\n').filter((_, i) => i % 4 === 2).sort();
    expect(names(kioku[0]!)).toEqual(names(redis[0]!));
    expect(names(kioku[0]!)).toEqual([...allNames].sort());
  });

  it('CONFIG GET of every parameter name gives the same default value on a fresh server', async () => {
    await diff.compare(allNames.map((n) => ['CONFIG', 'GET', n]), { normalize });
    // Several names in one reply come in Redis's hash-table order, which is random: one name per call.
    await diff.compare([['CONFIG', 'GET', 'hz'], ['CONFIG', 'GET', 'HZ'], ['CONFIG', 'GET', 'nosuch'], ['CONFIG', 'GET', 'save']], { protocol: 3 });
  });

  it('a hidden testing parameter (rdb-key-save-delay) answers by its name only, not to patterns', async () => {
    await diff.compare([
      ['CONFIG', 'GET', 'rdb-key-save-delay'], ['CONFIG', 'GET', 'rdb-key*'], ['CONFIG', 'SET', 'rdb-key-save-delay', 'abc'],
      ['CONFIG', 'SET', 'rdb-key-save-delay', '-5'], ['CONFIG', 'GET', 'rdb-key-save-delay'], ['CONFIG', 'SET', 'rdb-key-save-delay', '0'],
    ]);
  });

  it('CONFIG SET refuses bad values of every typed parameter with the same error text', async () => {
    const script = typed.flatMap((p) => [
      ['CONFIG', 'SET', p.name, 'xyz!'],
      ['CONFIG', 'SET', p.name, '-99999999999999999999'],
      ['CONFIG', 'SET', p.name, '1.5'],
    ]);
    await diff.compare(script);
  });

  it('CONFIG SET refuses every immutable parameter, protected ones, unknown and duplicate names', async () => {
    const immutable = Config.all().filter((p) => p.immutable).flatMap((p) => [p.name, ...p.aliases]);
    await diff.compare([
      ...immutable.map((n) => ['CONFIG', 'SET', n, 'x']),
      ['CONFIG', 'SET', 'dir', '/'], ['CONFIG', 'SET', 'dbfilename', 'x.rdb'], ['CONFIG', 'SET', 'nosuch', '1'],
      ['CONFIG', 'SET', 'hz', '5', 'HZ', '6'], ['CONFIG', 'SET', 'hz', '5', 'nosuch', '1'], ['CONFIG', 'SET', 'hz', '5', 'maxclients'],
      ['CONFIG', 'SET', 'hz'], ['CONFIG', 'GET'], ['CONFIG', 'GET', 'hz'],
    ]);
  });

  it('CONFIG SET stores values in the same canonical form (CONFIG GET after CONFIG SET)', async () => {
    const sets: [string, string][] = [
      ['maxmemory', '1GB'], ['maxmemory', '1g'], ['maxmemory', '05'], ['maxmemory', '99999999999999999999'],
      ['proto-max-bulk-len', '2048kb'], ['notify-keyspace-events', 'KEA'], ['notify-keyspace-events', 'Kx'],
      ['notify-keyspace-events', 'Egm$lshzxetdn'], ['notify-keyspace-events', 'Kmn'], ['notify-keyspace-events', ''],
      ['latency-tracking-info-percentiles', '50.0 99.90 1e1'], ['latency-tracking-info-percentiles', ''],
      ['client-output-buffer-limit', 'NORMAL 1 2 3'], ['client-output-buffer-limit', 'replica 1mb 2mb 3 pubsub 0 0 0'],
      ['save', '900 1 300 10'], ['save', ''], ['maxmemory-clients', '10%'], ['maxmemory-clients', '0%'],
      ['loglevel', 'WARNING'], ['appendfsync', 'Always'], ['activerehashing', 'NO'], ['oom-score-adj-values', '10 20 30'],
      ['slowlog-log-slower-than', '-1'], ['list-max-listpack-size', '-5'], ['slave-read-only', 'no'],
      ['replica-read-only', 'yes'],
    ];
    const script = sets.flatMap(([n, v]) => [['CONFIG', 'SET', n, v], ['CONFIG', 'GET', n]]);
    const defaults = sets.map(([n]) => [n, Config.find(n)!.default] as const);
    script.push(['CONFIG', 'SET', ...[...new Map(defaults).entries()].flat()]);
    await diff.compare(script);
    await diff.compare([['CONFIG', 'SET', 'save', '3600 1', 'save', '']]);
  });

  it('CONFIG HELP and CONFIG RESETSTAT reply the same', async () => {
    await diff.compare([['CONFIG', 'HELP'], ['CONFIG', 'RESETSTAT'], ['CONFIG', 'RESETSTAT', 'x'], ['CONFIG', 'nosuch'], ['CONFIG']]);
  });
});
