/**
 * kioku-server entry point: `kioku-server [config-file] [--directive value ...] [-]`, as
 * redis-server. Loads the configuration (config-file.ts), reports a bad one the way Redis does
 * (stderr, exit status 1), writes the pidfile, starts the server, and shuts down cleanly on
 * SIGTERM/SIGINT or SHUTDOWN. Mirrors redis server.c main() and the shutdown path of
 * prepareForShutdown().
 */
import fs from 'node:fs';
import path from 'node:path';
import { Config } from './config.js';
import { ConfigFileError, ConfigOpenError, formatFatal, loadServerConfig, parseCommandLine, usage } from './config-file.js';
import { strerror } from './config-params.js';
import { createLogger, type Logger } from './logger.js';
import { Server } from './server.js';
import { LoadError } from './persistence/persistence.js';
import { REDIS_VERSION, KIOKU_VERSION } from './version.js';

/** Loads the configuration or exits the way redis-server does. */
function loadConfig(argv: string[]): { config: Config; fromStdin: boolean } {
  const cmd = parseCommandLine(argv);
  if (cmd.kind === 'version') {
    process.stdout.write(`Kioku server v=${REDIS_VERSION} kioku=${KIOKU_VERSION} node=${process.version} bits=64\n`);
    process.exit(0);
  }
  if (cmd.kind === 'help') {
    process.stderr.write(usage('kioku-server'));
    process.exit(1);
  }
  const config = new Config();
  try {
    loadServerConfig(config, cmd, () => fs.readFileSync(0, 'latin1'));
  } catch (e) {
    if (e instanceof ConfigFileError) process.stderr.write(formatFatal(e));
    else if (e instanceof ConfigOpenError) process.stderr.write(`${e.message}\n`);
    else throw e;
    process.exit(1);
  }
  return { config, fromStdin: cmd.readStdin };
}

/** The start-up warnings about the configuration, logged once the logger exists. */
function logConfigWarnings(log: Logger, config: Config, fromStdin: boolean): void {
  if (fromStdin) log.warn('Reading config from stdin');
  if (config.configFile === '') {
    log.warn('Warning: no config file specified, using the default config. In order to specify a config file use kioku-server /path/to/kioku.conf');
  } else {
    log.warn('Configuration loaded');
  }
  if (config.getBool('daemonize')) {
    log.warn('daemonize yes is not supported (Node.js cannot fork): running in the foreground; use a process supervisor to run Kioku in the background');
  }
  const unacted = config.unactedDirectives();
  if (unacted.length > 0) {
    log.warn(`WARNING: these directives are accepted but Kioku does not act on them yet: ${unacted.join(', ')}`);
  }
}

/** Writes the pid file (Redis createPidFile); failure is logged, not fatal, as in Redis. */
function writePidFile(log: Logger, pidfile: string): void {
  try {
    fs.writeFileSync(pidfile, `${process.pid}\n`);
  } catch (e) {
    log.warn(`Failed to write PID file: ${strerror(e)}`);
  }
}

async function main(): Promise<void> {
  const { config, fromStdin } = loadConfig(process.argv.slice(2));
  // Redis chdirs into `dir` while reading the config: relative paths (logfile, pidfile) are in it.
  process.chdir(config.get('dir'));
  const log = createLogger(config.get('loglevel'), config.get('logfile'));
  log.warn('oO0OoO0OoO0Oo Kioku is starting oO0OoO0OoO0Oo');
  log.warn(`Kioku version=${KIOKU_VERSION} (Redis ${REDIS_VERSION} compatible), node=${process.version}, PID: ${process.pid}, just started`);
  logConfigWarnings(log, config, fromStdin);
  const pidfile = config.get('pidfile') === '' ? '' : path.resolve(config.get('pidfile'));
  if (pidfile !== '') writePidFile(log, pidfile);

  const server = new Server({ config, logger: log });
  let exiting = false;
  const removePidFile = () => {
    if (pidfile === '') return;
    log.info('Removing the pid file.');
    fs.rmSync(pidfile, { force: true });
  };
  /** Last steps of a signal shutdown: remove the pid file, say goodbye, exit. */
  const finish = (code: number) => {
    removePidFile();
    log.warn('Redis is now ready to exit, bye bye...');
    process.exit(code);
  };
  const shutdown = (signal: string) => {
    if (exiting) {
      log.warn('You insist... exiting now.');
      process.exit(1);
    }
    log.warn(`Received ${signal} scheduling shutdown...`);
    log.warn('User requested shutdown...');
    // shutdown-on-sigterm / shutdown-on-sigint: default saves when save points are configured.
    const flags = config.get(signal === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm').split(' ');
    if (!server.persistence.finalSave({ save: flags.includes('save'), nosave: flags.includes('nosave') }) && !flags.includes('force')) {
      log.warn('Errors trying to shut down the server. Check the logs for more information.');
      return;
    }
    exiting = true;
    // Never hang on a stuck socket: the process is gone within a second of the signal.
    setTimeout(() => finish(0), 800).unref();
    void server.stop().then(() => finish(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // SHUTDOWN stops the server (and says goodbye); the process ends here, not inside the server (tests embed it).
  server.onShutdown = () => {
    removePidFile();
    process.exit(0);
  };

  try {
    await server.start();
  } catch (e) {
    if (e instanceof LoadError) {
      if (!e.logged) log.error(e.message);
      // Silently: the load error stays the last line of the log, as Redis leaves it.
      if (pidfile !== '') fs.rmSync(pidfile, { force: true });
      process.exit(1);
    }
    log.warn(`Warning: Could not create server TCP listening socket ${config.get('bind')}:${config.get('port')}: ${strerror(e)}`);
    log.warn(`Failed listening on port ${config.get('port')} (TCP), aborting.`);
    removePidFile();
    process.exit(1);
  }
  log.info(`Running mode=standalone, port=${server.port}.`);
  log.info('Server initialized');
  log.info('Ready to accept connections');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
