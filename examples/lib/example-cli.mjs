/**
 * What every example program shares when run by hand: its command-line options, a seeded random
 * source, and (for those in front of PostgreSQL) opening and closing Kioku and the database.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { openDatabase } from './postgres.mjs';

/** The value after `--name` on the command line, or `fallback`. */
export function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** A Kioku client from --host / --port (or KIOKU_HOST / KIOKU_PORT), 127.0.0.1:6379 by default. */
export function kiokuFromOptions() {
  return new Redis({ host: option('host', process.env.KIOKU_HOST ?? '127.0.0.1'), port: Number(option('port', process.env.KIOKU_PORT ?? '6379')) });
}

/** Mulberry32: a small seeded PRNG, so that runs with the same seed do the same operations. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs `fn({ db, redis })` with a pg Pool of `poolSize` connections on --postgres URL (or
 * $DATABASE_URL, or a throw-away PostgreSQL started for the run) and a Kioku client, and closes
 * all three afterwards.
 */
export async function withKiokuAndPostgres(poolSize, fn) {
  const database = await openDatabase(option('postgres', process.env.DATABASE_URL));
  const db = new pg.Pool({ connectionString: database.url, max: poolSize });
  const redis = kiokuFromOptions();
  try {
    if (database.started) console.log(`started a throw-away PostgreSQL on ${new URL(database.url).host}`);
    await fn({ db, redis });
  } finally {
    redis.disconnect();
    await db.end();
    await database.stop();
  }
}
