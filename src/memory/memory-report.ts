/**
 * The figures of INFO memory (and the allocator ones of MEMORY STATS / DOCTOR), in Redis 7.0's
 * field order. Mirrors the "memory" section of redis server.c genRedisInfoString().
 *
 * used_memory and its parts come from memory/accounting.ts. V8 stands for the allocator:
 * allocator_allocated = heap in use + external memory (Buffers, ArrayBuffers), allocator_active =
 * heap reserved + external, allocator_resident = the process's RSS; so allocator_frag_* says how
 * much of V8's reserved heap is empty, allocator_rss_* what the process holds beyond it (code,
 * stacks, malloc arenas), and rss_overhead_* is 1 / 0 (the allocator is the whole process).
 */
import os from 'node:os';
import type { Server } from '../server.js';

/**
 * INFO mem_allocator. COMPAT: Kioku allocates through V8 and the system malloc; "libc" is what a
 * Redis built without jemalloc says, so tools that gate jemalloc-only features (active defrag)
 * on this field leave them alone.
 */
export const MEM_ALLOCATOR = 'libc';

/** allocator_allocated / active / resident (see the file comment). */
export interface AllocatorFigures {
  allocated: number;
  active: number;
  resident: number;
}

/** V8's figures, `used` standing in for allocated when larger (buffers counted by Kioku). */
export function allocatorFigures(used: number): AllocatorFigures {
  const m = process.memoryUsage();
  const allocated = Math.max(1, m.heapUsed + m.external);
  const active = Math.max(allocated, m.heapTotal + m.external);
  return { allocated, active, resident: Math.max(m.rss, used > 0 ? 1 : 0) };
}

/** Redis's bytesToHuman(): B, K, M, G, T, P with two decimals. */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)}${units[i]}`;
}

/** A ratio as INFO prints it (%.2f). */
function ratio(a: number, b: number): string {
  return (b > 0 ? a / b : 0).toFixed(2);
}

/** A percentage as INFO prints it (%.2f%%). */
function pct(a: number, b: number): string {
  return `${(b > 0 ? (a * 100) / b : 0).toFixed(2)}%`;
}

/** What INFO memory needs from the rest of the server besides the accounting. */
export interface MemoryInfoInputs {
  maxmemory: number;
  maxmemoryPolicy: string;
  scriptsBytes: number;
  scriptsCount: number;
  functionCount: number;
  libraryCount: number;
}

/** The INFO memory section's fields, in Redis 7.0.15's order. */
export function memoryInfoFields(server: Server, inputs: MemoryInfoInputs): [string, string | number][] {
  const b = server.memory.breakdown();
  const used = b.used;
  const peak = server.stats.usedMemoryPeak;
  const a = allocatorFigures(used);
  const rss = a.resident;
  const notCounted = server.memory.notCountedForEviction();
  const total = os.totalmem();
  const max = inputs.maxmemory;
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', rss],
    ['used_memory_rss_human', bytesToHuman(rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', pct(used, peak)],
    ['used_memory_overhead', b.overhead],
    ['used_memory_startup', b.startup],
    ['used_memory_dataset', b.dataset],
    ['used_memory_dataset_perc', pct(b.dataset, used - b.startup)],
    ['allocator_allocated', a.allocated],
    ['allocator_active', a.active],
    ['allocator_resident', a.resident],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    // COMPAT: scripts run in Kioku's own Lua engine on the V8 heap; no separate VM memory.
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', bytesToHuman(0)],
    ['used_memory_scripts_eval', inputs.scriptsBytes],
    ['number_of_cached_scripts', inputs.scriptsCount],
    ['number_of_functions', inputs.functionCount],
    ['number_of_libraries', inputs.libraryCount],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', bytesToHuman(0)],
    ['used_memory_functions', 0],
    ['used_memory_scripts', inputs.scriptsBytes],
    ['used_memory_scripts_human', bytesToHuman(inputs.scriptsBytes)],
    ['maxmemory', max],
    ['maxmemory_human', bytesToHuman(max)],
    ['maxmemory_policy', inputs.maxmemoryPolicy],
    ['allocator_frag_ratio', ratio(a.active, a.allocated)],
    ['allocator_frag_bytes', a.active - a.allocated],
    ['allocator_rss_ratio', ratio(a.resident, a.active)],
    ['allocator_rss_bytes', a.resident - a.active],
    ['rss_overhead_ratio', '1.00'],
    ['rss_overhead_bytes', 0],
    ['mem_fragmentation_ratio', ratio(rss, used)],
    ['mem_fragmentation_bytes', rss - used],
    ['mem_not_counted_for_evict', notCounted],
    ['mem_replication_backlog', b.replicationBacklog],
    ['mem_total_replication_buffers', b.replicationBacklog + b.clientsReplicas],
    ['mem_clients_slaves', b.clientsReplicas],
    ['mem_clients_normal', b.clientsNormal],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', b.aofBuffer],
    ['mem_allocator', MEM_ALLOCATOR],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
  ];
}
