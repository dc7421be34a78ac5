/**
 * CONFIG GET / SET / RESETSTAT / REWRITE / HELP: the configuration at run time. The parameter
 * table and its rules live in config.ts and config-params.ts; the file format in config-file.ts;
 * applying a changed value is the server's (Config change listeners). Mirrors redis config.c
 * configGetCommand/configSetCommand/configRewriteCommand and server.c resetCommand stats.
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { CommandContext, CommandSpec, CommandSpecInput } from './command-spec.js';
import { family } from './command-table.js';
import { ConfigSetError } from '../config.js';
import { rewriteConfigFile } from '../config-file.js';
import { strerror } from '../config-params.js';
import { ERR_SYNTAX, replyError } from '../protocol/reply-errors.js';

const ERR_NO_CONFIG_FILE = replyError('ERR The server is running without a config file');

/** Error texts carry user input; CR and LF would break the reply line (Redis replaces them too). */
function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}

/**
 * CONFIG GET pattern [pattern ...] → a map of parameter → value (RESP2: a flat array): every
 * name or alias matching a glob (case-insensitive), or the exact name as given.
 */
function configGet(ctx: CommandContext, argv: readonly Bytes[]): void {
  const pairs = ctx.server.config.match(argv.slice(2));
  ctx.reply.mapHeader(pairs.length);
  for (const [name, value] of pairs) {
    ctx.reply.bulk(name as Bytes);
    ctx.reply.bulk(value as Bytes);
  }
}

/**
 * CONFIG SET parameter value [parameter value ...] → OK. All or nothing: every pair is
 * validated before any parameter changes; errors name the argument as the client spelled it.
 */
function configSet(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length % 2 !== 0) throw ERR_SYNTAX;
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i]!, argv[i + 1]!]);
  try {
    ctx.server.config.setMany(pairs);
  } catch (e) {
    if (!(e instanceof ConfigSetError)) throw e;
    if (e.unknown) throw replyError(oneLine(`ERR Unknown option or number of arguments for CONFIG SET - '${e.argument}'`));
    throw replyError(oneLine(`ERR CONFIG SET failed (possibly related to argument '${e.argument}') - ${e.message}`));
  }
  ctx.reply.ok();
}

/** Every command and subcommand of the table. */
function* allCommands(specs: Iterable<CommandSpec>): Generator<CommandSpec> {
  for (const spec of specs) {
    yield spec;
    if (spec.subcommands) yield* allCommands(spec.subcommands.values());
  }
}

/**
 * CONFIG RESETSTAT → OK: zeroes INFO stats, errorstats and commandstats (Redis
 * resetServerStats + resetCommandTableStats + resetErrorTableStats). The slowlog is kept.
 */
function configResetstat(ctx: CommandContext): void {
  ctx.server.stats.reset();
  for (const spec of allCommands(ctx.server.commands.all())) {
    spec.stats.calls = 0;
    spec.stats.usec = 0;
    spec.stats.rejectedCalls = 0;
    spec.stats.failedCalls = 0;
  }
  ctx.reply.ok();
}

/** CONFIG REWRITE → OK once the config file holds the running configuration. */
function configRewrite(ctx: CommandContext): void {
  const config = ctx.server.config;
  if (config.configFile === '') throw ERR_NO_CONFIG_FILE;
  try {
    rewriteConfigFile(config);
  } catch (e) {
    ctx.server.log.warn(`CONFIG REWRITE failed: ${strerror(e)}`);
    throw replyError(`ERR Rewriting config file: ${strerror(e)}`);
  }
  ctx.server.log.info('CONFIG REWRITE executed with success.');
  ctx.reply.ok();
}

const CONFIG_HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

function docs(summary: string, since: string, complexity: string) {
  return { summary, since, group: 'server', complexity };
}

const adminFlags = ['admin', 'noscript', 'loading', 'stale'] as const;
const perParameter = 'O(N) when N is the number of configuration parameters provided';

const configCommandSpec: CommandSpecInput = {
  name: 'config', arity: -2, flags: [],
  docs: docs('A container for server configuration commands', '2.0.0', 'Depends on subcommand.'),
  subcommands: [
    { name: 'get', arity: -3, flags: [...adminFlags], docs: docs('Get the values of configuration parameters', '2.0.0', perParameter), handler: configGet },
    {
      name: 'set', arity: -4, flags: [...adminFlags], tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
      docs: docs('Set configuration parameters to the given values', '2.0.0', perParameter), handler: configSet,
    },
    { name: 'resetstat', arity: 2, flags: [...adminFlags], docs: docs('Reset the stats returned by INFO', '2.0.0', 'O(1)'), handler: configResetstat },
    {
      name: 'rewrite', arity: 2, flags: [...adminFlags],
      docs: docs('Rewrite the configuration file with the in memory configuration', '2.8.0', 'O(1)'), handler: configRewrite,
    },
    {
      name: 'help', arity: 2, flags: ['loading', 'stale'],
      docs: docs('Show helpful text about the different subcommands', '5.0.0', 'O(1)'), handler: (ctx) => ctx.reply.simpleArray(CONFIG_HELP),
    },
  ],
};

export const configCommands = family(undefined, [configCommandSpec]);
