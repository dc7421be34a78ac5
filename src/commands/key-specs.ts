/**
 * Key specifications evaluated against a concrete argv: which arguments are keys according to a
 * command's key specs, and with which flags. Used by COMMAND GETKEYSANDFLAGS (flags per key) and
 * by the command-table tests (key positions must agree with the specs). Follows the key-spec
 * semantics documented in Redis's "Command key specifications" page (begin_search index/keyword,
 * find_keys range/keynum).
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseInteger } from '../keyspace/bytes.js';
import type { KeySpec, KeySpecFlag } from './command-spec.js';

/** Redis's order for key-spec flags (COMMAND INFO lists them this way). */
export const KEY_SPEC_FLAG_ORDER: readonly KeySpecFlag[] = [
  'RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags',
];

/** A key found by a spec: its argv index and the index of the spec that found it. */
export interface SpecKey {
  pos: number;
  spec: number;
}

/** The argument counts make the specs point past the end (e.g. numkeys larger than the args). */
export class InvalidKeyArgs extends Error {}

/** The index where a spec's keys begin, or undefined when it finds none here. */
function beginIndex(spec: KeySpec, argv: readonly Bytes[]): number | undefined {
  const b = spec.begin;
  if (b === 'unknown') return undefined;
  if ('index' in b) return b.index < argv.length ? b.index : undefined;
  const kw = b.keyword.toLowerCase();
  if (b.startfrom >= 0) {
    for (let i = b.startfrom; i < argv.length; i++) if (argv[i]!.toLowerCase() === kw) return i + 1;
  } else {
    for (let i = argv.length + b.startfrom; i > 0; i--) if (argv[i]!.toLowerCase() === kw) return i + 1;
  }
  return undefined;
}

/** The keys every spec finds in argv, in spec order. Throws InvalidKeyArgs on impossible counts. */
export function keysFromSpecs(specs: readonly KeySpec[], argv: readonly Bytes[]): SpecKey[] {
  const out: SpecKey[] = [];
  specs.forEach((spec, specIndex) => {
    const first = beginIndex(spec, argv);
    if (first === undefined || first >= argv.length || spec.find === 'unknown') return;
    const f = spec.find;
    let start: number;
    let last: number;
    let step: number;
    if ('lastkey' in f) {
      start = first;
      step = f.keystep;
      if (f.lastkey >= 0) last = first + f.lastkey;
      else if (f.limit <= 1) last = argv.length + f.lastkey;
      else last = first + Math.floor((argv.length - first) / f.limit) - 1;
    } else {
      const n = parseInteger(argv[first + f.keynumidx] ?? '');
      if (n === undefined || n < 0) throw new InvalidKeyArgs();
      start = first + f.firstkey;
      step = f.keystep;
      last = start + (n - 1) * step;
    }
    if (last >= argv.length) throw new InvalidKeyArgs();
    for (let i = start; i <= last; i += step) out.push({ pos: i, spec: specIndex });
  });
  return out;
}

/** Flags in Redis's order. */
export function orderedKeySpecFlags(flags: readonly KeySpecFlag[]): KeySpecFlag[] {
  return KEY_SPEC_FLAG_ORDER.filter((f) => flags.includes(f));
}
