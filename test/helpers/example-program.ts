/**
 * Runs one of the examples/ programs as a user would (`node examples/<name>/<name>.mjs --port P
 * ...`) and gives its standard output; a failed run rejects with its standard error. And the
 * servers a PostgreSQL example's test needs (startExampleStack), and the test every example has:
 * the same transcript against a live redis-server (itMatchesRedis).
 */
import { execFile } from 'node:child_process';
import { expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { startPostgres, type Postgres } from '../../examples/lib/postgres.mjs';
import { startTestServer, type TestServer } from './test-server.js';
import { haveRedisServer, startRedisOracle } from './redis-oracle.js';

export function runExampleProgram(program: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [program, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The line a PostgreSQL example prints when it starts its own server (its port varies). */
export const withoutPostgresLine = (out: string): string => out.replace(/^started a throw-away PostgreSQL on 127\.0\.0\.1:\d+\n/, '');

/**
 * What a PostgreSQL example's test talks to: Kioku in-process (port 0) with an ioredis client, a
 * throw-away PostgreSQL, and a pg Pool of `poolSize` connections on it. stop() ends all three.
 */
export interface ExampleStack {
  ts: TestServer;
  r: Redis;
  postgres: Postgres;
  db: pg.Pool;
  stop(): Promise<void>;
}

export async function startExampleStack(poolSize: number): Promise<ExampleStack> {
  const ts = await startTestServer();
  const r = await ts.client();
  const postgres = await startPostgres();
  const db = new pg.Pool({ connectionString: postgres.url, max: poolSize });
  return {
    ts,
    r,
    postgres,
    db,
    async stop() {
      await db.end();
      await postgres.stop();
      await ts.stop();
    },
  };
}

/** A test: the example run against a live redis-server prints `expected`, as it does against Kioku. */
export function itMatchesRedis(runExample: (port: number) => Promise<string>, expected: string): void {
  it.runIf(haveRedisServer())('gives the same transcript against a live redis-server', async () => {
    const oracle = await startRedisOracle();
    try {
      expect(await runExample(oracle.port)).toBe(expected);
    } finally {
      await oracle.stop();
    }
  });
}
