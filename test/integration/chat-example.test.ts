/**
 * The chat example (examples/chat/chat.mjs) run as a program against Kioku: two users, rooms as
 * channels, history in a capped list. Its transcript must be exactly what it prints against
 * Redis 7.0 (written out below, and compared with a live redis-server when one is installed), and
 * the keys it leaves behind must hold what it did. Exercises SUBSCRIBE UNSUBSCRIBE PUBLISH, LPUSH
 * LTRIM LRANGE LLEN in MULTI/EXEC, and INCR through ioredis; then ChatUser is used directly to
 * check that a message said while someone joins reaches them exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { itMatchesRedis, runExampleProgram } from '../helpers/example-program.js';

const program = fileURLToPath(new URL('../../examples/chat/chat.mjs', import.meta.url));

interface ChatMessage {
  id: number;
  user: string;
  text: string;
}
interface ChatUserLike {
  join(room: string, n: number, onMessage: (m: ChatMessage) => void): Promise<ChatMessage[]>;
  say(room: string, text: string): Promise<number>;
  disconnect(): void;
}
type ChatModule = {
  ChatUser: new (options: { host: string; port: number }, name: string) => ChatUserLike;
  resetRoom(redis: Redis, room: string): Promise<void>;
};

/** Runs the example against a port; resolves to its standard output. */
const runExample = (port: number): Promise<string> => runExampleProgram(program, ['--port', String(port), '--room', 'lobby'], 20_000);

const EXPECTED = `alice joins #lobby and gets 0 earlier message(s)
  alice (live) #1 <alice> note 1
  alice (live) #2 <alice> note 2
  alice (live) #3 <alice> note 3
  alice (live) #4 <alice> note 4
  alice (live) #5 <alice> note 5
  alice (live) #6 <alice> note 6
  alice (live) #7 <alice> note 7
history of #lobby keeps 5 messages
bob joins #lobby and gets 3 earlier message(s)
  bob (history) #5 <alice> note 5
  bob (history) #6 <alice> note 6
  bob (history) #7 <alice> note 7
  alice (live) #8 <bob> hi alice
  bob (live) #8 <bob> hi alice
  alice (live) #9 <alice> hello bob!
  bob (live) #9 <alice> hello bob!
alice leaves #lobby
  bob (live) #10 <bob> bye
last 5: 10 9 8 7 6
`;

describe('chat example (SUBSCRIBE PUBLISH LPUSH LTRIM LRANGE INCR through ioredis)', () => {
  let ts: TestServer;
  let r: Redis;
  beforeAll(async () => {
    ts = await startTestServer();
    r = await ts.client({ enableReadyCheck: false });
  });
  afterAll(async () => ts.stop());

  it('two users: prints what it prints against Redis 7.0, and leaves the room in the state it describes', async () => {
    expect(await runExample(ts.port)).toBe(EXPECTED);
    expect(await r.get('chat:seq:lobby')).toBe('10');
    expect((await r.lrange('chat:history:lobby', 0, -1)).map((m) => JSON.parse(m) as ChatMessage)).toEqual([
      { id: 10, user: 'bob', text: 'bye' },
      { id: 9, user: 'alice', text: 'hello bob!' },
      { id: 8, user: 'bob', text: 'hi alice' },
      { id: 7, user: 'alice', text: 'note 7' },
      { id: 6, user: 'alice', text: 'note 6' },
    ]);
    expect(await r.pubsub('NUMSUB', 'chat:room:lobby')).toEqual(['chat:room:lobby', 0]);
  });

  it('a message said while a user joins arrives once: in the history or live, never both', async () => {
    const { ChatUser, resetRoom } = (await import(program)) as ChatModule;
    await resetRoom(r, 'race');
    const opts = { host: '127.0.0.1', port: ts.port };
    const speaker = new ChatUser(opts, 'speaker');
    const joiners = Array.from({ length: 5 }, (_, i) => new ChatUser(opts, `j${i}`));
    try {
      await speaker.say('race', 'before');
      const seen = joiners.map(() => [] as number[]);
      // Joins and messages interleave (4 messages fit the 5-message history): each joiner must see
      // ids 1..5 exactly once, in order.
      const joins = joiners.map((u, i) =>
        u.join('race', 10, (m) => seen[i]!.push(m.id)).then((h) => seen[i]!.unshift(...h.map((m) => m.id))),
      );
      for (let i = 0; i < 3; i++) await speaker.say('race', `during ${i}`);
      await Promise.all(joins);
      const last = await speaker.say('race', 'after');
      const end = Date.now() + 5000;
      while (seen.some((s) => !s.includes(last)) && Date.now() < end) await new Promise((res) => setTimeout(res, 5));
      for (const s of seen) expect(s).toEqual([1, 2, 3, 4, 5]);
    } finally {
      speaker.disconnect();
      for (const u of joiners) u.disconnect();
    }
  });

  itMatchesRedis(runExample, EXPECTED);
});
