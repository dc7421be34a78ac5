/**
 * MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE and HELP. Mirrors redis object.c
 * memoryCommand(), getMemoryOverheadData() and getMemoryDoctorReport().
 *
 * The figures come from memory/accounting.ts (used memory as counted, not V8's heapUsed) and, for
 * the allocator.* and fragmentation ones, from V8 as the allocator: allocated = heap in use +
 * external memory, active = heap reserved + external, resident = the process's RSS (memory-report.ts).
 */
import v8 from 'node:v8';
import type { Bytes } from '../keyspace/bytes.js';
import type { Server } from '../server.js';
import type { CommandContext, CommandSpecInput } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { intArg } from './arg-cursor.js';
import { ERR_SYNTAX } from '../protocol/reply-errors.js';
import { allocatorFigures, MEM_ALLOCATOR } from '../memory/memory-report.js';

/**
 * MEMORY USAGE key [SAMPLES count] → the bytes of the key, its value and its TTL entry, or nil
 * when the key is missing. SAMPLES is checked as Redis checks it (an integer ≥ 0).
 * COMPAT: the answer is always exact — values keep their byte count up to date, so there is
 * nothing to sample (Redis estimates collections from `count` elements, 5 by default).
 */
function memoryUsage(ctx: CommandContext, argv: readonly Bytes[]): void {
  for (let i = 3; i < argv.length; i++) {
    if (argv[i]!.toLowerCase() === 'samples' && i + 1 < argv.length) {
      if (intArg(argv[++i]!) < 0) throw ERR_SYNTAX;
    } else {
      throw ERR_SYNTAX;
    }
  }
  const key = argv[2]!;
  const v = ctx.db.peekNoTouch(key);
  if (v === undefined) ctx.reply.nullBulk();
  else ctx.reply.integer(ctx.db.memory.keyUsage(key, v, ctx.db.getExpire(key) !== undefined));
}

/** A ratio or percentage as Redis computes it (a C float) and replies it (a double). */
function float(ctx: CommandContext, x: number): void {
  ctx.reply.double(Math.fround(Number.isFinite(x) ? x : 0));
}

/** MEMORY STATS: Redis 7.0's map, in its order (integers, and doubles for ratios). */
function memoryStats(ctx: CommandContext): void {
  const server = ctx.server;
  const b = server.memory.breakdown();
  const a = allocatorFigures(b.used);
  const peak = server.stats.usedMemoryPeak;
  const net = b.used - b.startup;
  const ints = (pairs: [string, number][]) => {
    for (const [k, n] of pairs) {
      ctx.reply.bulk(k as Bytes);
      ctx.reply.integer(n);
    }
  };
  ctx.reply.mapHeader(27 + b.databases.length);
  ints([
    ['peak.allocated', peak],
    ['total.allocated', b.used],
    ['startup.allocated', b.startup],
    ['replication.backlog', b.replicationBacklog],
    ['clients.slaves', b.clientsReplicas],
    ['clients.normal', b.clientsNormal],
    ['cluster.links', 0],
    ['aof.buffer', b.aofBuffer],
    ['lua.caches', scriptCacheBytes(server)],
    ['functions.caches', 0],
  ]);
  for (const db of b.databases) {
    ctx.reply.bulk(`db.${db.index}` as Bytes);
    ctx.reply.mapHeader(3);
    ints([
      ['overhead.hashtable.main', db.main],
      ['overhead.hashtable.expires', db.expires],
      ['overhead.hashtable.slot-to-keys', 0],
    ]);
  }
  ints([
    ['overhead.total', b.overhead],
    ['keys.count', b.keys],
    ['keys.bytes-per-key', b.keys > 0 ? Math.floor(net / b.keys) : 0],
    ['dataset.bytes', b.dataset],
  ]);
  ctx.reply.bulk('dataset.percentage' as Bytes);
  float(ctx, net > 0 ? (b.dataset * 100) / net : 0);
  ctx.reply.bulk('peak.percentage' as Bytes);
  float(ctx, peak > 0 ? (b.used * 100) / peak : 0);
  ints([
    ['allocator.allocated', a.allocated],
    ['allocator.active', a.active],
    ['allocator.resident', a.resident],
  ]);
  const pairs: [string, number, number][] = [
    ['allocator-fragmentation', a.active / a.allocated, a.active - a.allocated],
    ['allocator-rss', a.resident / a.active, a.resident - a.active],
    ['rss-overhead', 1, 0],
  ];
  for (const [name, ratio, bytes] of pairs) {
    ctx.reply.bulk(`${name}.ratio` as Bytes);
    float(ctx, ratio);
    ints([[`${name}.bytes`, bytes]]);
  }
  ctx.reply.bulk('fragmentation' as Bytes);
  float(ctx, a.resident / b.used);
  ints([['fragmentation.bytes', a.resident - b.used]]);
}

/** used_memory_scripts_eval / lua.caches: the cached scripts' source bytes. */
export function scriptCacheBytes(server: Server): number {
  let n = 0;
  for (const s of server.scripts.values()) n += s.length;
  return n;
}

// ---- DOCTOR ----

const MB = 1024 * 1024;

/** Redis's report texts, each followed by an empty line. */
const DOCTOR_EMPTY =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
const DOCTOR_FINE = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
const DOCTOR_HEAD = 'Sam, I detected a few issues in this Redis instance memory implants:\n\n';
const DOCTOR_TAIL = "I'm here to keep you safe, Sam. I want to help you.\n";
const DOCTOR_PEAK =
  ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n';
const doctorHighRss = (allocator: string) =>
  ` * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is "${allocator}".\n\n`;
const DOCTOR_ALLOC_FRAG =
  " * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n";
const DOCTOR_ALLOC_RSS =
  ' * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.\n\n';
const DOCTOR_REPLICA_BUFFERS =
  ' * Big replica buffers: The replica output buffers in this instance are greater than 10MB for each replica (on average). This likely means that there is some replica instance that is struggling receiving data, either because it is too slow or because of networking issues. As a result, data piles on the master output buffers. Please try to identify what replica is not receiving data correctly and why. You can use the INFO output in order to check the replicas delays and the CLIENT LIST command to check the output buffers of each replica.\n\n';
const DOCTOR_CLIENT_BUFFERS =
  ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n';
const DOCTOR_SCRIPTS =
  " * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming most of your memory.\n\n";

/**
 * Redis getMemoryDoctorReport(), with its thresholds, on Kioku's figures.
 * COMPAT: the allocator checks look at V8's heap, and the RSS check sees the JavaScript
 * runtime's own memory (tens of MB, outside used_memory) as RSS overhead, which it is.
 */
export function doctorReport(server: Server): string {
  const b = server.memory.breakdown();
  if (b.used < 5 * MB) return DOCTOR_EMPTY;
  const a = allocatorFigures(b.used);
  const replicas = server.replication.replicas.count;
  const normalClients = server.clients.size - replicas;
  let out = '';
  if (server.stats.usedMemoryPeak / b.used > 1.5) out += DOCTOR_PEAK;
  if (a.resident / b.used > 1.4 && a.resident - b.used > 10 * MB) out += doctorHighRss(MEM_ALLOCATOR);
  if (a.active / a.allocated > 1.1 && a.active - a.allocated > 10 * MB) out += DOCTOR_ALLOC_FRAG;
  if (a.resident / a.active > 1.1 && a.resident - a.active > 10 * MB) out += DOCTOR_ALLOC_RSS;
  if (replicas > 0 && b.clientsReplicas / replicas > 10 * MB) out += DOCTOR_REPLICA_BUFFERS;
  if (normalClients > 0 && b.clientsNormal / normalClients > 200 * 1024) out += DOCTOR_CLIENT_BUFFERS;
  if (server.scripts.size > 1000) out += DOCTOR_SCRIPTS;
  return out === '' ? DOCTOR_FINE : DOCTOR_HEAD + out + DOCTOR_TAIL;
}

// ---- MALLOC-STATS, PURGE ----

/** MEMORY MALLOC-STATS: V8's heap statistics and heap spaces, as text (Redis: jemalloc's stats). */
function mallocStats(): string {
  const lines = ['___ Begin V8 heap statistics ___'];
  for (const [k, v] of Object.entries(v8.getHeapStatistics())) lines.push(`${k}: ${v}`);
  lines.push('Heap spaces (size, used, available, physical):');
  for (const s of v8.getHeapSpaceStatistics()) {
    lines.push(`  ${s.space_name}: ${s.space_size} ${s.space_used_size} ${s.space_available_size} ${s.physical_space_size}`);
  }
  const m = process.memoryUsage();
  lines.push(`external: ${m.external}`, `array_buffers: ${m.arrayBuffers}`, `rss: ${m.rss}`, '___ End V8 heap statistics ___');
  return lines.join('\n') + '\n';
}

/**
 * MEMORY PURGE: a full garbage collection when the process runs with --expose-gc, else nothing.
 * COMPAT: Redis asks jemalloc to return dirty pages; V8 gives memory back by collecting.
 */
function memoryPurge(ctx: CommandContext): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) gc();
  ctx.reply.ok();
}

/** Redis 7.0's MEMORY HELP. */
const HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
];

function docs(summary: string, complexity: string) {
  return { summary, since: '4.0.0', group: 'server', complexity };
}

const SLOW_COMPLEXITY = 'Depends on how much memory is allocated, could be slow';
const REPORT_TIPS = ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'];

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
      name: 'purge', arity: 2, flags: [], tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
      docs: docs('Ask the allocator to release memory', SLOW_COMPLEXITY),
      handler: memoryPurge,
    },
    {
      name: 'doctor', arity: 2, flags: [], tips: REPORT_TIPS,
      docs: docs('Outputs memory problems report', 'O(1)'),
      handler: (ctx) => ctx.reply.verbatim(doctorReport(ctx.server) as Bytes),
    },
    {
      name: 'malloc-stats', arity: 2, flags: [], tips: REPORT_TIPS,
      docs: docs('Show allocator internal stats', SLOW_COMPLEXITY),
      handler: (ctx) => ctx.reply.verbatim(mallocStats() as Bytes),
    },
    {
      name: 'stats', arity: 2, flags: [], tips: REPORT_TIPS,
      docs: docs('Show memory usage details', 'O(1)'),
      handler: memoryStats,
    },
    {
      name: 'help', arity: 2, flags: ['loading', 'stale'],
      docs: docs('Show helpful text about the different subcommands', 'O(1)'),
      handler: (ctx) => ctx.reply.simpleArray(HELP),
    },
  ],
};
