/**
 * Every command family, in one list: the command table is built from it. Adding a family is one
 * import here; adding a command is one spec entry in its family file.
 */
import type { CommandFamily } from './command-table.js';
import { connectionCommands } from './connection-commands.js';
import { clientCommands } from './client-commands.js';
import { stringCommands } from './string-commands.js';
import { stringRangeCommands } from './string-range-commands.js';
import { keyCommands } from './key-commands.js';
import { keyExpireCommands } from './key-expire-commands.js';
import { objectCommands } from './object-command.js';
import { serverCommands } from './server-commands.js';
import { configCommands } from './config-commands.js';
import { listCommands } from './list-commands.js';
import { listBlockingCommands } from './list-blocking-commands.js';
import { sortCommands } from './sort-command.js';
import { hashCommands } from './hash-commands.js';
import { setCommands } from './set-commands.js';
import { setAlgebraCommands } from './set-algebra-commands.js';
import { sortedSetCommands } from './sorted-set-commands.js';
import { sortedSetRangeCommands } from './sorted-set-range-commands.js';
import { sortedSetStoreCommands } from './sorted-set-store-commands.js';
import { transactionCommands } from './transaction-commands.js';
import { pubsubCommands } from './pubsub-commands.js';
import { aofCommands } from './aof-commands.js';
import { persistenceCommands } from './persistence-commands.js';
import { dumpRestoreCommands } from './dump-restore-commands.js';
import { replicationCommands } from './replication-commands.js';

export const ALL_FAMILIES: readonly CommandFamily[] = [
  connectionCommands,
  clientCommands,
  stringCommands,
  stringRangeCommands,
  keyCommands,
  keyExpireCommands,
  objectCommands,
  serverCommands,
  configCommands,
  listCommands,
  listBlockingCommands,
  sortCommands,
  hashCommands,
  setCommands,
  setAlgebraCommands,
  sortedSetCommands,
  sortedSetRangeCommands,
  sortedSetStoreCommands,
  transactionCommands,
  pubsubCommands,
  aofCommands,
  persistenceCommands,
  dumpRestoreCommands,
  replicationCommands,
];
