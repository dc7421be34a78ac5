#!/usr/bin/env node
/**
 * A game leaderboard on a sorted set: the member is the player, the score their points.
 * Works against Kioku or Redis, through ioredis.
 *
 *   node examples/leaderboard/leaderboard.mjs [--host 127.0.0.1] [--port 6379] [--key leaderboard]
 *
 * The demo loads 1,000 players with fixed scores, then shows the top 10, one player's rank and
 * neighbours, a page of the board, and score updates (ZINCRBY for points won, ZADD GT for a
 * "personal best" that only ever goes up). The functions are exported for reuse.
 */
import { Redis } from 'ioredis';

/** The highest scores first: [{ rank (1-based), player, score }]. */
export async function top(redis, key, n) {
  return page(redis, key, 0, n);
}

/** `count` entries starting at 0-based position `start`, highest score first. */
export async function page(redis, key, start, count) {
  const flat = await redis.zrange(key, start, start + count - 1, 'REV', 'WITHSCORES');
  const out = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ rank: start + i / 2 + 1, player: flat[i], score: Number(flat[i + 1]) });
  return out;
}

/** A player's 1-based rank (highest score = 1) and score, or null if unknown. */
export async function standing(redis, key, player) {
  const [[, rank], [, score]] = await redis.pipeline().zrevrank(key, player).zscore(key, player).exec();
  return rank === null ? null : { rank: rank + 1, player, score: Number(score) };
}

/** The `around` players above and below a player, the player included. */
export async function neighbours(redis, key, player, around) {
  const rank = await redis.zrevrank(key, player);
  if (rank === null) return [];
  const start = Math.max(0, rank - around);
  return page(redis, key, start, rank - start + around + 1);
}

/** Adds points to a player (creating them at 0) and returns the new score. */
export async function addPoints(redis, key, player, points) {
  return Number(await redis.zincrby(key, points, player));
}

/** Records a result only if it beats the player's best; true when the best changed. */
export async function submitBest(redis, key, player, score) {
  return (await redis.zadd(key, 'GT', 'CH', score, player)) === 1;
}

/** The fixed demo data: player:0001 .. player:1000 with distinct scores below 10,007. */
export function demoPlayers() {
  return Array.from({ length: 1000 }, (_, i) => ({
    player: `player:${String(i + 1).padStart(4, '0')}`,
    score: ((i + 1) * 7919) % 10007,
  }));
}

const line = (e) => `${String(e.rank).padStart(5)}. ${e.player}  ${e.score}`;

/** Runs the demo, writing what it does through `print`. */
export async function demo(redis, key, print) {
  await redis.del(key);
  const players = demoPlayers();
  await redis.zadd(key, ...players.flatMap((p) => [p.score, p.player]));
  print(`loaded ${await redis.zcard(key)} players`);

  print('top 10:');
  for (const e of await top(redis, key, 10)) print(line(e));

  const me = 'player:0500';
  let s = await standing(redis, key, me);
  print(`${me} is #${s.rank} with ${s.score} points`);
  print(`around ${me}:`);
  for (const e of await neighbours(redis, key, me, 2)) print(line(e));

  print('page 3 (ranks 21-25):');
  for (const e of await page(redis, key, 20, 5)) print(line(e));

  const won = await addPoints(redis, key, me, 2500);
  s = await standing(redis, key, me);
  print(`${me} wins 2500 points: ${won}, now #${s.rank}`);

  print(`${me} submits 100 as a best: ${(await submitBest(redis, key, me, 100)) ? 'new best' : 'kept'} ${await redis.zscore(key, me)}`);
  print(`${me} submits 9999 as a best: ${(await submitBest(redis, key, me, 9999)) ? 'new best' : 'kept'} ${await redis.zscore(key, me)}`);
  s = await standing(redis, key, me);
  print(`${me} is #${s.rank} with ${s.score} points`);

  const newcomer = 'player:newcomer';
  await addPoints(redis, key, newcomer, 42);
  s = await standing(redis, key, newcomer);
  print(`${newcomer} joins with 42 points at #${s.rank} of ${await redis.zcard(key)}`);
  print(`players with 5000 to 5999 points: ${await redis.zcount(key, 5000, 5999)}`);
}

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const redis = new Redis({ host: option('host', '127.0.0.1'), port: Number(option('port', '6379')) });
  try {
    await demo(redis, option('key', 'leaderboard'), (s) => console.log(s));
  } finally {
    redis.disconnect();
  }
}
