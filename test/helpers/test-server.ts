/**
 * Starts a Kioku server in-process on 127.0.0.1, port 0, for one test file, and gives ioredis
 * clients connected to it (RESP3 by default as ioredis 6 does; RESP2 on request).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { pino } from 'pino';
import { Config } from '../../src/config.js';
import { Server } from '../../src/server.js';
import type { Clock } from '../../src/clock.js';

export interface TestServer {
  server: Server;
  port: number;
  /** A new ioredis client; closed by stop(). */
  client(opts?: RedisOptions): Promise<Redis>;
  stop(): Promise<void>;
}

/**
 * Starts a server; `settings` are config directives as `--name value` would set them. Unless
 * `dir` is given, the server works in a new temporary directory (removed by stop()), so a SAVE,
 * a save point or SHUTDOWN never writes into the working tree.
 */
export async function startTestServer(settings: Record<string, string> = {}, clock?: Clock): Promise<TestServer> {
  const config = new Config();
  config.set('port', ['0'], { startup: true });
  config.set('bind', ['127.0.0.1'], { startup: true });
  const tempDir = settings.dir === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-test-')) : undefined;
  if (tempDir !== undefined) config.set('dir', [tempDir], { startup: true });
  for (const [k, v] of Object.entries(settings)) config.set(k, v.split(' '), { startup: true });
  const server = new Server({ config, logger: pino({ level: 'silent' }), ...(clock ? { clock } : {}) });
  await server.start();
  const clients: Redis[] = [];
  return {
    server,
    port: server.port,
    async client(opts: RedisOptions = {}) {
      const c = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, ...opts });
      clients.push(c);
      await c.connect();
      return c;
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await server.stop();
      if (tempDir !== undefined) fs.rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
