/**
 * CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO: the client-side caching subcommands (their
 * table entries are in client-commands.ts; the registry and the invalidation messages are in
 * src/tracking.ts). Mirrors redis networking.c clientCommand() (tracking part) and tracking.c
 * enableTracking / checkPrefixCollisionsOrReply; error texts checked against redis-server 7.0.
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { CommandContext } from './command-spec.js';
import type { TrackingOptions } from '../tracking.js';
import { intArg } from './arg-cursor.js';
import { ERR_SYNTAX, replyError } from '../protocol/reply-errors.js';

/** Error texts carry user input: CR/LF become spaces, as Redis's addReplyErrorFormat does. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}

const ERR_REDIRECT_MISSING = replyError('ERR The client ID you want redirect to does not exist');
const ERR_REDIRECT_TWICE = replyError('ERR A client can only redirect to a single other client');
const ERR_PREFIX_NEEDS_BCAST = replyError('ERR PREFIX option requires BCAST mode to be enabled');
const ERR_SWITCH_BCAST = replyError(
  "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
);
const ERR_OPT_BCAST = replyError('ERR OPTIN and OPTOUT are not compatible with BCAST');
const ERR_OPTIN_OPTOUT = replyError("ERR You can't specify both OPTIN mode and OPTOUT mode");
const ERR_SWITCH_OPT = replyError(
  "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
);
const ERR_CACHING_MODE = replyError(
  'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
);
const ERR_CACHING_YES = replyError('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
const ERR_CACHING_NO = replyError('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');

/** Two prefixes overlap when one starts with the other (they would both match some keys). */
function overlaps(a: Bytes, b: Bytes): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/**
 * CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP] → OK.
 * Options are read first (syntax, REDIRECT checks), then, for ON, checked against each other and
 * against the current mode in Redis's order. ON again adds prefixes and replaces the other options.
 */
export function clientTracking(ctx: CommandContext, argv: readonly Bytes[]): void {
  const opts: TrackingOptions = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, prefixes: [] };
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    const more = i + 1 < argv.length;
    if (opt === 'redirect' && more) {
      if (opts.redirect !== 0) throw ERR_REDIRECT_TWICE;
      const id = intArg(argv[++i]!);
      if (!ctx.server.clients.has(id)) throw ERR_REDIRECT_MISSING;
      opts.redirect = id;
    } else if (opt === 'bcast') opts.bcast = true;
    else if (opt === 'optin') opts.optin = true;
    else if (opt === 'optout') opts.optout = true;
    else if (opt === 'noloop') opts.noloop = true;
    else if (opt === 'prefix' && more) opts.prefixes.push(argv[++i]!);
    else throw ERR_SYNTAX;
  }
  const mode = argv[2]!.toLowerCase();
  const client = ctx.client;
  if (mode === 'on') {
    const cur = client.tracking;
    if (!opts.bcast && opts.prefixes.length > 0) throw ERR_PREFIX_NEEDS_BCAST;
    if (cur !== undefined && cur.bcast !== opts.bcast) throw ERR_SWITCH_BCAST;
    if (opts.bcast && (opts.optin || opts.optout)) throw ERR_OPT_BCAST;
    if (opts.optin && opts.optout) throw ERR_OPTIN_OPTOUT;
    if (cur !== undefined && ((opts.optin && cur.optout) || (opts.optout && cur.optin))) throw ERR_SWITCH_OPT;
    if (opts.bcast) checkPrefixes(opts.prefixes, cur?.prefixes);
    ctx.server.tracking.enable(client, opts);
  } else if (mode === 'off') {
    ctx.server.tracking.disable(client);
  } else {
    throw ERR_SYNTAX;
  }
  ctx.reply.ok();
}

/** New BCAST prefixes may overlap neither the client's current ones nor each other. */
function checkPrefixes(prefixes: readonly Bytes[], current: ReadonlySet<Bytes> | undefined): void {
  for (let i = 0; i < prefixes.length; i++) {
    const p = prefixes[i]!;
    for (const existing of current ?? []) {
      if (overlaps(p, existing)) {
        throw replyError(oneLine(`ERR Prefix '${p}' overlaps with an existing prefix '${existing}'. Prefixes for a single client must not overlap.`));
      }
    }
    for (let j = i + 1; j < prefixes.length; j++) {
      if (overlaps(p, prefixes[j]!)) {
        throw replyError(oneLine(`ERR Prefix '${p}' overlaps with another provided prefix '${prefixes[j]!}'. Prefixes for a single client must not overlap.`));
      }
    }
  }
}

/** CLIENT CACHING YES|NO → OK: track (OPTIN) or skip (OPTOUT) the keys of the next command. */
export function clientCaching(ctx: CommandContext, argv: readonly Bytes[]): void {
  const t = ctx.client.tracking;
  if (t === undefined) throw ERR_CACHING_MODE;
  const v = argv[2]!.toLowerCase();
  if (v === 'yes') {
    if (!t.optin) throw ERR_CACHING_YES;
  } else if (v === 'no') {
    if (!t.optout) throw ERR_CACHING_NO;
  } else {
    throw ERR_SYNTAX;
  }
  t.caching = true;
  ctx.reply.ok();
}

/** CLIENT GETREDIR → the redirect client id, 0 when tracking without one, -1 when not tracking. */
export function clientGetredir(ctx: CommandContext): void {
  ctx.reply.integer(ctx.client.tracking?.redirect ?? -1);
}

/** CLIENT TRACKINGINFO → map of flags (a set in RESP3), redirect, prefixes. */
export function clientTrackinginfo(ctx: CommandContext): void {
  const t = ctx.client.tracking;
  const flags: string[] = [];
  if (t === undefined) {
    flags.push('off');
  } else {
    flags.push('on');
    if (t.bcast) flags.push('bcast');
    if (t.optin) flags.push('optin');
    if (t.optin && t.caching) flags.push('caching-yes');
    if (t.optout) flags.push('optout');
    if (t.optout && t.caching) flags.push('caching-no');
    if (t.noloop) flags.push('noloop');
    if (t.brokenRedirect) flags.push('broken_redirect');
  }
  const w = ctx.reply;
  w.mapHeader(3);
  w.bulk('flags');
  w.setHeader(flags.length);
  for (const f of flags) w.bulk(f);
  w.bulk('redirect');
  w.integer(t?.redirect ?? -1);
  w.bulk('prefixes');
  // Redis keeps them in a radix tree: byte order.
  w.bulkArray(t === undefined ? [] : [...t.prefixes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
}
