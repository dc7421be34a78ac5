/**
 * kioku-server entry point: `kioku-server [config-file] [--directive value ...]`, as redis-server.
 * Loads the configuration, starts the server, and shuts down cleanly on SIGTERM/SIGINT.
 */
import { Config } from './config.js';
import { Server } from './server.js';
import { REDIS_VERSION, KIOKU_VERSION } from './version.js';

async function main(): Promise<void> {
  const config = new Config();
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) continue;
    const vals: string[] = [];
    while (i + 1 < args.length && !args[i + 1]!.startsWith('--')) vals.push(args[++i]!);
    config.set(a.slice(2), vals, { startup: true });
  }
  const server = new Server({ config });
  server.log.info(`Kioku ${KIOKU_VERSION} (Redis ${REDIS_VERSION} compatible) starting, PID: ${process.pid}`);
  await server.start();
  server.log.info(`Running mode=standalone, port=${server.port}.`);
  server.log.info('Ready to accept connections');
  const shutdown = (signal: string) => {
    server.log.warn(`Received ${signal} scheduling shutdown...`);
    void server.stop().then(() => {
      server.log.warn('Redis is now ready to exit, bye bye...');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
