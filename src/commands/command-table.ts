/**
 * The command table: every command Kioku knows, collected from the family files, with what Redis
 * derives from each declaration (implied ACL categories, movablekeys, full names). It drives the
 * unknown-command and arity errors, COMMAND's replies, and every policy check in the dispatcher.
 * Mirrors redis server.c populateCommandTable() and setImplicitACLCategories().
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { AclCategory, CommandFlag, CommandSpec, CommandSpecInput } from './command-spec.js';
import { ACL_CATEGORIES, COMMAND_FLAGS } from './command-spec.js';

/** A family: its commands and the data-type ACL category they all carry (if any). */
export interface CommandFamily {
  category: AclCategory | undefined;
  commands: CommandSpecInput[];
}

/** Declares a family of commands sharing a data-type category (e.g. @string). */
export function family(category: AclCategory | undefined, commands: CommandSpecInput[]): CommandFamily {
  return { category, commands };
}

function orderedUnique<T>(items: Iterable<T>, order: readonly T[]): T[] {
  const set = new Set(items);
  return order.filter((x) => set.has(x));
}

/** Redis's setImplicitACLCategories: categories that follow from the flags. */
function impliedCategories(flags: readonly CommandFlag[], declared: readonly AclCategory[]): AclCategory[] {
  const out: AclCategory[] = [];
  const f = new Set(flags);
  if (f.has('write')) out.push('write');
  if (f.has('readonly') && !declared.includes('scripting')) out.push('read');
  if (f.has('admin')) out.push('admin', 'dangerous');
  if (f.has('pubsub')) out.push('pubsub');
  if (f.has('fast')) out.push('fast');
  if (f.has('blocking')) out.push('blocking');
  if (!f.has('fast') && !declared.includes('fast')) out.push('slow');
  return out;
}

function build(input: CommandSpecInput, category: AclCategory | undefined, parent?: CommandSpec): CommandSpec {
  const declared = [...(category ? [category] : []), ...(input.acl ?? [])];
  const flags = [...input.flags];
  if (input.getKeys && !flags.includes('movablekeys')) flags.push('movablekeys');
  const orderedFlags = orderedUnique(flags, COMMAND_FLAGS);
  const flagSet = new Set(orderedFlags);
  const spec: CommandSpec = {
    name: input.name,
    fullName: parent ? `${parent.name}|${input.name}` : input.name,
    arity: input.arity,
    flags: orderedFlags,
    acl: orderedUnique([...declared, ...impliedCategories(orderedFlags, declared)], ACL_CATEGORIES),
    firstKey: input.firstKey ?? 0,
    lastKey: input.lastKey ?? 0,
    step: input.step ?? 0,
    keySpecs: input.keySpecs ?? [],
    tips: input.tips ?? [],
    docs: input.docs,
    getKeys: input.getKeys,
    handler: input.handler,
    subcommands: undefined,
    parent,
    stats: { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 },
    has: (flag) => flagSet.has(flag),
    write: flagSet.has('write'),
  };
  if (input.subcommands) {
    spec.subcommands = new Map();
    for (const sub of input.subcommands) spec.subcommands.set(sub.name, build(sub, category, spec));
  }
  return spec;
}

/** How many spellings of command names beyond lowercase and uppercase CommandTable learns. */
const MAX_SPELLINGS = 1024;

export class CommandTable {
  private readonly commands = new Map<string, CommandSpec>();
  /**
   * Every name as clients spell it → its command: lowercase (ioredis) and uppercase (redis-cli,
   * redis-benchmark) from the start, other spellings ("Get") as they come, so that a lookup is one
   * Map hit rather than a miss, a lowercased copy and a second lookup. Bounded: past MAX_SPELLINGS
   * learned ones, new spellings are lowercased each time.
   */
  private readonly spellings = new Map<string, CommandSpec>();
  private learned = 0;
  /** The last name get() found, and its command. */
  private lastName: Bytes | undefined;
  private lastSpec: CommandSpec | undefined;

  constructor(families: readonly CommandFamily[]) {
    for (const fam of families) {
      for (const input of fam.commands) {
        if (this.commands.has(input.name)) throw new Error(`command ${input.name} registered twice`);
        const spec = build(input, fam.category);
        this.commands.set(input.name, spec);
        this.spellings.set(input.name, spec);
        this.spellings.set(input.name.toUpperCase(), spec);
      }
    }
  }

  /** The command for argv[0] (case-insensitive), or undefined. */
  get(name: Bytes): CommandSpec | undefined {
    // A pipeline mostly repeats its command, and the decoder hands out the same string for the
    // same name (resp-decoder.ts commandName), so this compare is usually of one pointer.
    if (name === this.lastName) return this.lastSpec;
    let spec = this.spellings.get(name);
    if (spec === undefined) {
      spec = this.commands.get(name.toLowerCase());
      if (spec === undefined) return undefined;
      if (this.learned < MAX_SPELLINGS) {
        this.learned++;
        this.spellings.set(name, spec);
      }
    }
    this.lastName = name;
    this.lastSpec = spec;
    return spec;
  }

  /** The command or subcommand argv names, as Redis's lookupCommand: a container needs argv[1]. */
  lookup(argv: readonly Bytes[]): { spec: CommandSpec | undefined; container: CommandSpec | undefined } {
    const base = this.get(argv[0]!);
    if (!base || !base.subcommands || argv.length < 2) return { spec: base, container: undefined };
    return { spec: base.subcommands.get(argv[1]!.toLowerCase()), container: base };
  }

  /** Every top-level command. */
  all(): IterableIterator<CommandSpec> {
    return this.commands.values();
  }

  get size(): number {
    return this.commands.size;
  }

  /**
   * The key positions of argv for this command (COMMAND GETKEYS, cluster checks): from getKeys
   * for movable-key commands, otherwise from first/last/step (negative last counts from the end).
   */
  keyPositions(spec: CommandSpec, argv: readonly Bytes[]): number[] {
    if (spec.getKeys) return spec.getKeys(argv);
    if (spec.firstKey <= 0) return [];
    const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
    const out: number[] = [];
    for (let i = spec.firstKey; i <= last && i < argv.length; i += spec.step) out.push(i);
    return out;
  }
}
