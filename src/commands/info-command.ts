/**
 * INFO [section ...]: the server's state as `field:value` lines grouped under `# Section` headers,
 * with Redis 7.0's section names, field names and field order, so that tools which parse INFO
 * (redis-cli, client libraries, monitoring agents, Redis's own test suite) read Kioku unchanged.
 * Mirrors redis server.c genRedisInfoString() and infoCommand().
 *
 * Fields for machinery Kioku does not have (forks, RDB, io-threads, jemalloc) report the value an
 * idle Redis reports for them, so parsers find every field they expect.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Bytes } from '../keyspace/bytes.js';
import type { Server } from '../server.js';
import type { CommandContext, CommandSpec } from './command-spec.js';
import { memoryInfoFields } from '../memory/memory-report.js';
import { scriptCacheBytes } from './memory-command.js';
import { Config } from '../config.js';
import { REDIS_VERSION } from '../version.js';

/** Sections in output order. */
const SECTIONS = [
  'server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules',
  'commandstats', 'errorstats', 'cluster', 'keyspace',
] as const;
type Section = (typeof SECTIONS)[number];

/** What `INFO` and `INFO default` show: everything but commandstats. */
const DEFAULT_SECTIONS: readonly Section[] = SECTIONS.filter((s) => s !== 'commandstats');

const HEADERS: Record<Section, string> = {
  server: 'Server', clients: 'Clients', memory: 'Memory', persistence: 'Persistence', stats: 'Stats',
  replication: 'Replication', cpu: 'CPU', modules: 'Modules', commandstats: 'Commandstats',
  errorstats: 'Errorstats', cluster: 'Cluster', keyspace: 'Keyspace',
};

/** Redis's 24-bit LRU clock, in seconds (INFO lru_clock, DEBUG OBJECT lru). */
export function lruClock(nowMs: number): number {
  return Math.floor(nowMs / 1000) % (1 << 24);
}

/** The sections an INFO argument list asks for (unknown names select nothing, as in Redis). */
function selectSections(args: readonly Bytes[]): Set<Section> {
  if (args.length === 0) return new Set(DEFAULT_SECTIONS);
  const out = new Set<Section>();
  for (const a of args) {
    const name = a.toLowerCase();
    // COMPAT: "all" and "everything" also include Redis's latencystats section, which Kioku does
    // not keep (it has no per-command latency histograms).
    if (name === 'all' || name === 'everything') SECTIONS.forEach((s) => out.add(s));
    else if (name === 'default') DEFAULT_SECTIONS.forEach((s) => out.add(s));
    else if ((SECTIONS as readonly string[]).includes(name)) out.add(name as Section);
  }
  return out;
}

/** INFO [section ...] → the report as a bulk string (RESP3: a verbatim string, txt). */
export function info(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.verbatim(infoText(ctx.server, argv.slice(1)) as Bytes);
}

/** The INFO report for these section arguments. */
export function infoText(server: Server, args: readonly Bytes[]): string {
  const wanted = selectSections(args);
  const parts: string[] = [];
  for (const s of SECTIONS) {
    if (!wanted.has(s)) continue;
    const lines = SECTION_FIELDS[s](server);
    parts.push(`# ${HEADERS[s]}\r\n` + lines.map((l) => l + '\r\n').join(''));
  }
  return parts.join('\r\n');
}

// ---- Formatting helpers ----

/** Seconds from microseconds with six decimals (used_cpu_*: "0.002819"). */
function cpuSeconds(usec: number): string {
  return (usec / 1e6).toFixed(6);
}

/** A config value, or the fallback while the parameter is not in the table. */
function configValue(server: Server, name: string, fallback: string): string {
  return Config.find(name) ? server.config.get(name) : fallback;
}

function kv(fields: [string, string | number][]): string[] {
  return fields.map(([k, v]) => `${k}:${v}`);
}

// ---- Sections ----

function serverSection(server: Server): string[] {
  const now = Date.now();
  const uptime = Math.floor((now - server.startedAt) / 1000);
  const hz = server.config.getInt('hz');
  const platform = process.platform;
  const multiplexing = platform === 'linux' ? 'epoll' : platform === 'win32' ? 'winsock' : 'kqueue';
  return kv([
    ['redis_version', REDIS_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', '0'],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', process.arch.endsWith('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', multiplexing],
    ['atomicvar_api', 'c11-builtin'],
    // COMPAT: Kioku is not built by gcc; Redis reports 0.0.0 in that case too.
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', server.runId],
    ['tcp_port', server.port],
    ['server_time_usec', now * 1000],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', hz],
    ['configured_hz', hz],
    ['lru_clock', lruClock(now)],
    ['executable', process.argv[1] ?? ''],
    ['config_file', server.config.configFile],
    ['io_threads_active', 0],
  ]);
}

function clientsSection(server: Server): string[] {
  return kv([
    ['connected_clients', server.clients.size],
    ['cluster_connections', 0],
    ['maxclients', server.config.getInt('maxclients')],
    // The largest buffers the cron sampled over the last 8 seconds (memory/client-buffers.ts).
    ['client_recent_max_input_buffer', server.bufferedClients.recentMaxInput],
    ['client_recent_max_output_buffer', server.bufferedClients.recentMaxOutput],
    ['blocked_clients', server.blocking.blockedClients + server.pause.postponedClients],
    ['tracking_clients', server.tracking.clients],
    ['clients_in_timeout_table', server.blocking.withDeadline],
  ]);
}

/** Memory: the accounted figures (memory/accounting.ts), laid out by memory/memory-report.ts. */
function memorySection(server: Server): string[] {
  let functionCount = 0;
  for (const lib of server.functionLibraries.values()) functionCount += lib.functions.size;
  return kv(
    memoryInfoFields(server, {
      maxmemory: Number(configValue(server, 'maxmemory', '0')),
      maxmemoryPolicy: configValue(server, 'maxmemory-policy', 'noeviction'),
      scriptsBytes: scriptCacheBytes(server),
      scriptsCount: server.scripts.size,
      functionCount,
      libraryCount: server.functionLibraries.size,
    }),
  );
}

function persistenceSection(server: Server): string[] {
  const p = server.persistence;
  const snap = server.snapshot;
  const loading: [string, string | number][] = [];
  // A replica loading its primary's RDB beside the live data shows the progress too (async_loading).
  const l = p.loading ?? p.asyncLoading;
  if (l !== undefined) {
    const elapsed = Math.max(0, Math.floor(Date.now() / 1000) - l.startTime);
    const perc = l.totalBytes === 0 ? 0 : (l.loadedBytes * 100) / l.totalBytes;
    const eta = l.loadedBytes === 0 ? 1 : Math.round(((l.totalBytes - l.loadedBytes) * elapsed) / l.loadedBytes);
    loading.push(
      ['loading_start_time', l.startTime],
      ['loading_total_bytes', l.totalBytes],
      ['loading_rdb_used_mem', 0],
      ['loading_loaded_bytes', l.loadedBytes],
      ['loading_loaded_perc', perc.toFixed(2)],
      ['loading_eta_seconds', eta],
    );
  }
  return kv([
    ['loading', p.loading === undefined ? 0 : 1],
    ['async_loading', p.asyncLoading === undefined ? 0 : 1],
    // A snapshot's kept copies stand for a forked child's copy-on-write memory (snapshot.ts).
    ['current_cow_peak', snap?.peakKeptBytes ?? 0],
    ['current_cow_size', snap?.keptBytes ?? 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', snap === undefined || snap.keysTotal === 0 ? '0.00' : ((snap.keysProcessed * 100) / snap.keysTotal).toFixed(2)],
    ['current_save_keys_processed', snap?.keysProcessed ?? 0],
    ['current_save_keys_total', snap?.keysTotal ?? 0],
    ['rdb_changes_since_last_save', server.dirty],
    ['rdb_bgsave_in_progress', p.rdbSnapshotInProgress ? 1 : 0],
    ['rdb_last_save_time', server.lastSave],
    ['rdb_last_bgsave_status', p.lastBgsaveOk ? 'ok' : 'err'],
    ['rdb_last_bgsave_time_sec', p.lastBgsaveSeconds],
    ['rdb_current_bgsave_time_sec', p.currentBgsaveSeconds()],
    ['rdb_saves', p.saves],
    ['rdb_last_cow_size', p.lastCowBytes],
    ['rdb_last_load_keys_expired', p.lastLoadKeysExpired],
    ['rdb_last_load_keys_loaded', p.lastLoadKeysLoaded],
    ...server.aof.infoFields(),
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
    ...server.aof.infoSizeFields(),
    ...loading,
  ]);
}

function statsSection(server: Server): string[] {
  const st = server.stats;
  // Used memory is over maxmemory right now: for how long (Redis stat_last_eviction_exceeded_time).
  const exceededNow = st.evictionExceededSince === 0 ? 0 : performance.now() - st.evictionExceededSince;
  return kv([
    ['total_connections_received', st.totalConnectionsReceived],
    ['total_commands_processed', st.totalCommandsProcessed],
    ['instantaneous_ops_per_sec', server.instantaneousOps()],
    ['total_net_input_bytes', st.netInputBytes],
    ['total_net_output_bytes', st.netOutputBytes],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', '0.00'],
    ['instantaneous_output_kbps', '0.00'],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', st.rejectedConnections],
    ['sync_full', st.syncFull],
    ['sync_partial_ok', st.syncPartialOk],
    ['sync_partial_err', st.syncPartialErr],
    ['expired_keys', st.expiredKeys],
    ['expired_stale_perc', '0.00'],
    ['expired_time_cap_reached_count', 0],
    ['expire_cycle_cpu_milliseconds', 0],
    ['evicted_keys', st.evictedKeys],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', Math.floor(st.evictionExceededMs + exceededNow)],
    ['current_eviction_exceeded_time', Math.floor(exceededNow)],
    ['keyspace_hits', st.keyspaceHits],
    ['keyspace_misses', st.keyspaceMisses],
    ['pubsub_channels', server.pubsub.channelCount],
    ['pubsub_patterns', server.pubsub.patternCount],
    ['pubsubshard_channels', server.pubsub.shardChannelCount],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', server.tracking.totalKeys],
    ['tracking_total_items', server.tracking.items],
    ['tracking_total_prefixes', server.tracking.totalPrefixes],
    ['unexpected_error_replies', 0],
    ['total_error_replies', st.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', 0],
    ['total_writes_processed', 0],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ]);
}

function replicationSection(server: Server): string[] {
  return kv(server.replication.infoLines());
}

function cpuSection(): string[] {
  const u = process.cpuUsage();
  // COMPAT: Node 20 cannot measure the main thread alone; the *_main_thread fields repeat the
  // process's figures (Kioku runs its commands on the main thread).
  return kv([
    ['used_cpu_sys', cpuSeconds(u.system)],
    ['used_cpu_user', cpuSeconds(u.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', cpuSeconds(u.system)],
    ['used_cpu_user_main_thread', cpuSeconds(u.user)],
  ]);
}

/** Every command and subcommand that was called, rejected or failed at least once. */
function commandstatsSection(server: Server): string[] {
  const out: string[] = [];
  const visit = (spec: CommandSpec) => {
    const s = spec.stats;
    if (s.calls > 0 || s.failedCalls > 0 || s.rejectedCalls > 0) {
      const perCall = s.calls > 0 ? s.usec / s.calls : 0;
      out.push(
        `cmdstat_${spec.fullName}:calls=${s.calls},usec=${s.usec},usec_per_call=${perCall.toFixed(2)},` +
          `rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`,
      );
    }
    if (spec.subcommands) for (const sub of spec.subcommands.values()) visit(sub);
  };
  for (const spec of server.commands.all()) visit(spec);
  return out;
}

/** errorstat_<CODE>:count=N, sorted by code as Redis's radix tree lists them. */
function errorstatsSection(server: Server): string[] {
  return [...server.stats.errors.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, n]) => `errorstat_${code}:count=${n}`);
}

function keyspaceSection(server: Server): string[] {
  const out: string[] = [];
  for (const db of server.keyspaces) {
    if (db.size === 0) continue;
    out.push(`db${db.index}:keys=${db.size},expires=${db.expires.size},avg_ttl=${Math.floor(db.avgTtl)}`);
  }
  return out;
}

const SECTION_FIELDS: Record<Section, (server: Server) => string[]> = {
  server: serverSection,
  clients: clientsSection,
  memory: memorySection,
  persistence: persistenceSection,
  stats: statsSection,
  replication: replicationSection,
  cpu: () => cpuSection(),
  modules: () => [],
  commandstats: commandstatsSection,
  errorstats: errorstatsSection,
  cluster: () => ['cluster_enabled:0'],
  keyspace: keyspaceSection,
};
