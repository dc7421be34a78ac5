/**
 * Logging through pino, with Redis's loglevel names mapped onto pino's levels, to standard output
 * or to `logfile`. Redis's levels, most verbose first: debug < verbose < notice < warning, so
 * debug is pino's trace, verbose its debug, notice its info and warning its warn. Writes are
 * synchronous, like Redis's serverLog: a line is on disk before the next command runs, and the
 * last lines before exit are never lost. Mirrors redis server.c serverLog().
 */
import path from 'node:path';
import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS: Record<string, string> = {
  debug: 'trace',
  verbose: 'debug',
  notice: 'info',
  warning: 'warn',
};

/** A pino logger for the given Redis loglevel; logfile '' means standard output. */
export function createLogger(loglevel: string, logfile: string, dir = process.cwd()): Logger {
  const dest = logfile === '' ? pino.destination({ fd: 1, sync: true }) : pino.destination({ dest: path.resolve(dir, logfile), sync: true });
  return pino({ level: pinoLevel(loglevel), base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

/** Maps a Redis loglevel to pino's. */
export function pinoLevel(loglevel: string): string {
  return LEVELS[loglevel] ?? 'info';
}
