/**
 * Logging through pino, with Redis's loglevel names (debug, verbose, notice, warning, nothing)
 * mapped onto pino's levels, to stdout or to `logfile`.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS: Record<string, string> = {
  debug: 'debug',
  verbose: 'debug',
  notice: 'info',
  warning: 'warn',
  nothing: 'silent',
};

/** A pino logger for the given Redis loglevel; logfile '' means standard output. */
export function createLogger(loglevel: string, logfile: string): Logger {
  const level = LEVELS[loglevel] ?? 'info';
  const dest = logfile === '' ? pino.destination({ fd: 1, sync: true }) : pino.destination({ dest: logfile, sync: true, mkdir: true });
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

/** Maps a Redis loglevel to pino's. */
export function pinoLevel(loglevel: string): string {
  return LEVELS[loglevel] ?? 'info';
}
