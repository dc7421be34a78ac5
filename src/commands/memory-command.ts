/**
 * MEMORY USAGE and MEMORY HELP. Mirrors redis object.c memoryCommand(). The estimate itself is
 * keyspace/memory-usage.ts. MEMORY STATS, DOCTOR, MALLOC-STATS and PURGE come with the memory
 * accounting work (maxmemory); until then they are unknown subcommands.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { keyMemoryUsage } from '../keyspace/memory-usage.js';
import type { CommandContext, CommandSpecInput } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { intArg } from './arg-cursor.js';
import { ERR_SYNTAX } from '../protocol/reply-errors.js';

/** Redis's default number of elements sampled in a collection. */
const DEFAULT_SAMPLES = 5;

/**
 * MEMORY USAGE key [SAMPLES count] → the estimated bytes of the key and its value, or nil when the
 * key is missing. SAMPLES 0 measures every element of a collection.
 */
function memoryUsage(ctx: CommandContext, argv: readonly Bytes[]): void {
  let samples = DEFAULT_SAMPLES;
  for (let i = 3; i < argv.length; i++) {
    if (argv[i]!.toLowerCase() === 'samples' && i + 1 < argv.length) {
      samples = intArg(argv[++i]!);
      if (samples < 0) throw ERR_SYNTAX;
    } else {
      throw ERR_SYNTAX;
    }
  }
  const key = argv[2]!;
  const v = ctx.db.peekNoTouch(key);
  if (v === undefined) ctx.reply.nullBulk();
  else ctx.reply.integer(keyMemoryUsage(key, v, samples));
}

/** Redis 7.0's MEMORY HELP, keeping the subcommands Kioku has. */
const HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
];

function docs(summary: string, complexity: string) {
  return { summary, since: '4.0.0', group: 'server', complexity };
}

export const memoryCommandSpec: CommandSpecInput = {
  name: 'memory', arity: -2, flags: [],
  docs: docs('A container for memory diagnostics commands', 'Depends on subcommand.'),
  subcommands: [
    {
      name: 'usage', arity: -3, flags: ['readonly'], firstKey: 2, lastKey: 2, step: 1,
      keySpecs: [rangeKeySpec(['RO'], 2)],
      docs: docs('Estimate the memory usage of a key', 'O(N) where N is the number of samples.'),
      handler: memoryUsage,
    },
    {
      name: 'help', arity: 2, flags: ['loading', 'stale'],
      docs: docs('Show helpful text about the different subcommands', 'O(1)'),
      handler: (ctx) => ctx.reply.simpleArray(HELP),
    },
  ],
};
