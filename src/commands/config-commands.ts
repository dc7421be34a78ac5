import { family } from './command-table.js';

export const configCommands = family(undefined, []);
