/**
 * Differential testing: the same command script is sent over raw sockets to Kioku and to a real
 * redis-server 7.0, and the raw reply bytes are compared one by one.
 *
 *   const diff = await startDifferential();      // in beforeAll; diff.available tells if redis-server exists
 *   await diff.compare([['SET', 'k', 'v'], ['GET', 'k']], { protocol: 3 });
 *   await diff.stop();
 *
 * Both servers are flushed before each script. Replies that legitimately differ (run ids, times)
 * can be masked with `normalize`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { RawConnection } from './raw-connection.js';
import { startTestServer, type TestServer } from './test-server.js';
import { haveRedisServer, startRedisOracle, type RedisOracle } from './redis-oracle.js';

export interface Differential {
  available: boolean;
  kioku: TestServer;
  oracle: RedisOracle | undefined;
  /** Runs the script on both (after FLUSHALL) and expects identical raw replies. */
  compare(script: string[][], opts?: { protocol?: 2 | 3; normalize?: (reply: string) => string }): Promise<string[]>;
  /** Runs the script on both and returns both reply lists, for custom assertions. */
  run(script: string[][], opts?: { protocol?: 2 | 3 }): Promise<{ kioku: string[]; redis: string[] }>;
  stop(): Promise<void>;
}

async function runScript(port: number, script: string[][], protocol: 2 | 3): Promise<string[]> {
  const c = await RawConnection.connect(port);
  try {
    if (protocol === 3) await c.call('HELLO', '3');
    await c.call('FLUSHALL');
    const out: string[] = [];
    for (const cmd of script) out.push(await c.call(...cmd));
    return out;
  } finally {
    c.close();
  }
}

/**
 * Starts Kioku and redis-server with the same settings. Both work in one new temporary directory
 * (so CONFIG GET dir agrees, and nothing is saved into the working tree), removed by stop().
 */
export async function startDifferential(settings: Record<string, string> = {}): Promise<Differential> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-diff-'));
  settings = { dir, ...settings };
  const kioku = await startTestServer(settings);
  const available = haveRedisServer();
  const oracle = available ? await startRedisOracle(Object.entries(settings).flatMap(([k, v]) => [`--${k}`, ...v.split(' ')])) : undefined;
  const d: Differential = {
    available,
    kioku,
    oracle,
    async run(script, opts = {}) {
      const protocol = opts.protocol ?? 2;
      const k = await runScript(kioku.port, script, protocol);
      const r = oracle ? await runScript(oracle.port, script, protocol) : [];
      return { kioku: k, redis: r };
    },
    async compare(script, opts = {}) {
      const { kioku: k, redis: r } = await d.run(script, opts);
      const norm = opts.normalize ?? ((s: string) => s);
      const rows = script.map((cmd, i) => ({ cmd: cmd.join(' '), kioku: norm(k[i]!), redis: norm(r[i]!) }));
      expect(rows).toEqual(rows.map((row) => ({ ...row, kioku: row.redis })));
      return k;
    },
    async stop() {
      await kioku.stop();
      await oracle?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return d;
}
