/**
 * Meta-test (after Garnet's AllCommandsCovered): every command in the table, and every
 * container|subcommand, is named in the title of at least one integration or compat test. Titles
 * are read from the test sources (`it(`, `test(`, `describe(` and their `.each`/`.runIf`/... forms);
 * a subcommand counts as named when the title says "CONTAINER SUB" or "container|sub".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandTable } from '../../src/commands/command-table.js';
import { ALL_FAMILIES } from '../../src/commands/families.js';

const testRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Every test title in test/integration and test/compat. */
function testTitles(): string[] {
  const titles: string[] = [];
  const call = /\b(?:it|test|describe)(?:\.\w+(?:\([^()]*\))?)*\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
  for (const dir of ['integration', 'compat']) {
    let files: string[];
    try {
      files = readdirSync(path.join(testRoot, dir)).filter((f) => f.endsWith('.test.ts'));
    } catch {
      continue;
    }
    for (const f of files) {
      const src = readFileSync(path.join(testRoot, dir, f), 'utf8');
      for (const m of src.matchAll(call)) titles.push(m[2]!);
    }
  }
  return titles;
}

/** Does the title name this command (as a word: "GET" is not found in "GETDEL")? */
function names(title: string, words: string): boolean {
  const escaped = words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9_|-])${escaped}($|[^a-z0-9_|-])`, 'i').test(title);
}

describe('command coverage meta-test', () => {
  it('the title parser finds titles, including this one', () => {
    const titles = testTitles();
    expect(titles).toContain('the title parser finds titles, including this one');
    expect(names('GETDEL and GETEX', 'get')).toBe(false);
    expect(names('CONFIG GET with patterns', 'config get')).toBe(true);
    expect(names('slowlog|get entries', 'slowlog|get')).toBe(true);
  });

  it('every command and container|subcommand in the table appears in an integration or compat test title', () => {
    const titles = testTitles();
    const table = new CommandTable(ALL_FAMILIES);
    const missing: string[] = [];
    for (const spec of table.all()) {
      if (!titles.some((t) => names(t, spec.name))) missing.push(spec.name);
      for (const sub of spec.subcommands?.values() ?? []) {
        const forms = [`${spec.name} ${sub.name}`, `${spec.name}|${sub.name}`];
        if (!titles.some((t) => forms.some((form) => names(t, form)))) missing.push(sub.fullName);
      }
    }
    expect(missing).toEqual([]);
  });
});
