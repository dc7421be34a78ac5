import { family } from './command-table.js';

export const clientCommands = family('connection', []);
