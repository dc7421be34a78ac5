/**
 * A real redis-server (Debian's 7.0.15) on a free loopback port, for differential tests: the same
 * commands go to it and to Kioku and the raw replies are compared. When no redis-server is
 * installed the tests using it skip, saying so.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** True when a redis-server binary can be run. */
export function haveRedisServer(): boolean {
  const r = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /v=7\./.test(r.stdout);
}

/** Reason printed by tests that skip without redis-server. */
export const NO_REDIS = 'redis-server 7.x is not installed (apt-get install redis-server): differential test skipped';

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

export interface RedisOracle {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts redis-server with no persistence on 127.0.0.1 (on `port`, else a free one); extra args
 * as on its command line. Resolves once it is ready to accept connections.
 */
export async function startRedisOracle(extra: string[] = [], port?: number): Promise<RedisOracle> {
  port ??= await freePort();
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
  });
  return {
    port,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
