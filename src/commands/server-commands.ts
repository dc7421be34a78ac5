import { family } from './command-table.js';

export const serverCommands = family(undefined, []);
