import { family } from './command-table.js';

export const stringCommands = family('string', []);
