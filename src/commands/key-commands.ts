import { family } from './command-table.js';

export const keyCommands = family('keyspace', []);
