/**
 * Client limits against a real redis-server 7.0: the maxclients refusal (bytes, the counters it
 * moves), what a client over `client-output-buffer-limit normal` sees (nothing of its batch, then
 * the close), a half-command past client-query-buffer-limit, the CONFIG SET errors and normalized
 * values of these settings, and the field names of INFO clients and CLIENT LIST.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';
import { RawConnection } from '../helpers/raw-connection.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

/** INFO <section> as a field → value map, in order. */
async function info(c: RawConnection, section: string): Promise<Map<string, string>> {
  const text = await c.call('INFO', section);
  const out = new Map<string, string>();
  for (const line of text.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

describe.runIf(available)('client limits against redis-server 7.0', () => {
  let diff: Differential;
  /** Runs `fn` once against each server (Kioku first) and returns both results. */
  let both: <T>(fn: (port: number) => Promise<T>) => Promise<{ kioku: T; redis: T }>;
  beforeAll(async () => {
    diff = await startDifferential();
    both = async (fn) => ({ kioku: await fn(diff.kioku.port), redis: await fn(diff.oracle!.port) });
  });
  afterAll(async () => diff.stop());

  it('maxclients: the refusal bytes, the close, rejected_connections and total_connections_received', async () => {
    const r = await both(async (port) => {
      const admin = await RawConnection.connect(port);
      await admin.call('CONFIG', 'SET', 'maxclients', '2');
      const before = await info(admin, 'stats');
      const second = await RawConnection.connect(port);
      const refused = await RawConnection.connect(port);
      const got = await refused.readUntilClosed();
      const after = await info(admin, 'stats');
      const ping = await second.call('PING');
      await admin.call('CONFIG', 'SET', 'maxclients', '10000');
      second.close();
      admin.close();
      const delta = (f: string) => Number(after.get(f)) - Number(before.get(f));
      return { got, ping, rejected: delta('rejected_connections'), received: delta('total_connections_received') };
    });
    expect(r.kioku).toEqual(r.redis);
    expect(r.kioku.got).toBe('-ERR max number of clients reached\r\n');
  });

  it('client-output-buffer-limit normal 100k 0 0: a multi-MB LRANGE gets the client closed with none of its batch replied', async () => {
    const r = await both(async (port) => {
      const admin = await RawConnection.connect(port);
      await admin.call('FLUSHALL');
      const value = 'x'.repeat(100);
      for (let i = 0; i < 20; i++) admin.send('RPUSH', 'big', ...Array<string>(1000).fill(value));
      for (let i = 0; i < 20; i++) await admin.readReply();
      await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 100k 0 0');
      const c = await RawConnection.connect(port);
      c.write('PING\r\nLRANGE big 0 -1\r\nPING\r\n');
      const seen = await c.readUntilClosed();
      // Under the limit, replies flow.
      const small = await admin.call('LRANGE', 'big', '0', '1');
      await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0');
      admin.close();
      return { seen, small };
    });
    expect(r.kioku).toEqual(r.redis);
    expect(r.kioku.seen).toBe('');
  });

  it('client-query-buffer-limit: a half-sent command past it closes the client with no reply', async () => {
    const r = await both(async (port) => {
      const admin = await RawConnection.connect(port);
      await admin.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb');
      const c = await RawConnection.connect(port);
      c.write(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n${'a'.repeat(1_200_000)}`);
      const seen = await c.readUntilClosed(10_000);
      await admin.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb');
      admin.close();
      return seen;
    });
    expect(r.kioku).toEqual(r.redis);
  });

  it('CONFIG SET / GET of the limit settings: errors and normalized values', async () => {
    const script = [
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'foo 1 2 3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal x 2 3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2 -1'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'replica 1mb 2kb 3 pubsub 1gb 1g 0'],
      ['CONFIG', 'GET', 'client-output-buffer-limit'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60'],
      ['CONFIG', 'SET', 'client-query-buffer-limit', '1000'],
      ['CONFIG', 'SET', 'client-query-buffer-limit', '2mb'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '4mb'],
      ['CONFIG', 'GET', 'client-query-buffer-limit'],
      ['CONFIG', 'GET', 'proto-max-bulk-len'],
      ['CONFIG', 'SET', 'client-query-buffer-limit', '1gb'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '512mb'],
      ['CONFIG', 'SET', 'maxclients', '0'],
      ['CONFIG', 'SET', 'maxclients', 'x'],
      ['CONFIG', 'SET', 'timeout', '-1'],
      ['CONFIG', 'SET', 'timeout', '5'],
      ['CONFIG', 'GET', 'timeout'],
      ['CONFIG', 'SET', 'timeout', '0'],
      ['CONFIG', 'SET', 'tcp-keepalive', '-1'],
      ['CONFIG', 'GET', 'tcp-keepalive'],
    ];
    await diff.compare(script);
  });

  it('INFO clients and CLIENT LIST: the same fields in the same order', async () => {
    const r = await both(async (port) => {
      const c = await RawConnection.connect(port);
      const fields = [...(await info(c, 'clients')).keys()];
      const line = (await c.call('CLIENT', 'LIST')).split('\r\n')[1]!.split('\n')[0]!;
      const listFields = line.split(' ').map((kv) => kv.slice(0, kv.indexOf('=')));
      const memory = [...(await info(c, 'memory')).keys()].filter((k) => k.startsWith('mem_clients'));
      c.close();
      return { fields, listFields, memory };
    });
    expect(r.kioku).toEqual(r.redis);
  });
});
