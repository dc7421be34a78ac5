#!/usr/bin/env node
/**
 * A small chat on pub/sub and lists: each room is a channel, and its recent history a capped
 * list. Works against Kioku or Redis, through ioredis.
 *
 *   node examples/chat/chat.mjs [--host 127.0.0.1] [--port 6379] [--room lobby]
 *
 * Saying something: INCR the room's message counter (the message id), then in one MULTI:
 * LPUSH the message onto the history list, LTRIM it to the last HISTORY_SIZE messages, PUBLISH
 * it on the room's channel. Joining: SUBSCRIBE first, then LRANGE the last N messages, so that
 * nothing said in between is lost; live messages already in the history (same id) are dropped.
 *
 * The demo runs two users, alice and bob, and prints a transcript. The class is exported for reuse.
 */
import { Redis } from 'ioredis';

/** Messages kept per room. */
export const HISTORY_SIZE = 5;

const channelOf = (room) => `chat:room:${room}`;
const historyOf = (room) => `chat:history:${room}`;
const counterOf = (room) => `chat:seq:${room}`;

/** One chat user: a connection for commands and one for its subscriptions. */
export class ChatUser {
  /** @param {import('ioredis').RedisOptions} options  @param {string} name */
  constructor(options, name) {
    this.name = name;
    this.redis = new Redis(options);
    this.sub = new Redis(options);
    /** room → handler(message) for live messages; room → messages buffered while joining. */
    this.handlers = new Map();
    this.buffered = new Map();
    this.sub.on('message', (channel, raw) => {
      const room = channel.slice('chat:room:'.length);
      const msg = JSON.parse(raw);
      const buf = this.buffered.get(room);
      if (buf) buf.push(msg);
      else this.handlers.get(room)?.(msg);
    });
  }

  /**
   * Joins a room: resolves to its last `n` messages, oldest first; later messages go to `onMessage`.
   * Messages of the history never reach `onMessage`, and none is lost between the two.
   */
  async join(room, n, onMessage) {
    this.buffered.set(room, []);
    this.handlers.set(room, onMessage);
    await this.sub.subscribe(channelOf(room));
    const history = (await this.redis.lrange(historyOf(room), 0, n - 1)).map((m) => JSON.parse(m)).reverse();
    const lastSeen = history.length > 0 ? history[history.length - 1].id : 0;
    const early = this.buffered.get(room);
    this.buffered.delete(room);
    for (const msg of early) if (msg.id > lastSeen) onMessage(msg);
    return history;
  }

  /** Leaves a room: no more live messages from it. */
  async leave(room) {
    await this.sub.unsubscribe(channelOf(room));
    this.handlers.delete(room);
  }

  /** Says something in a room; resolves to the message id. */
  async say(room, text) {
    const id = await this.redis.incr(counterOf(room));
    const raw = JSON.stringify({ id, user: this.name, text });
    await this.redis.multi().lpush(historyOf(room), raw).ltrim(historyOf(room), 0, HISTORY_SIZE - 1).publish(channelOf(room), raw).exec();
    return id;
  }

  disconnect() {
    this.redis.disconnect();
    this.sub.disconnect();
  }
}

/** Deletes a room's history and counter. */
export async function resetRoom(redis, room) {
  await redis.del(historyOf(room), counterOf(room));
}

const show = (m) => `#${m.id} <${m.user}> ${m.text}`;

/**
 * Runs the demo, writing what it does through `print`. Each user's live messages are collected,
 * and printed once every member has received the last one, user by user: the transcript does not
 * depend on which connection the server writes to first.
 */
export async function demo(options, room, print) {
  const alice = new ChatUser(options, 'alice');
  const bob = new ChatUser(options, 'bob');
  try {
    await resetRoom(alice.redis, room);
    const inbox = new Map([[alice, []], [bob, []]]);
    const members = [];
    const join = async (user, n) => {
      const history = await user.join(room, n, (m) => inbox.get(user).push(m));
      members.push(user);
      print(`${user.name} joins #${room} and gets ${history.length} earlier message(s)`);
      for (const m of history) print(`  ${user.name} (history) ${show(m)}`);
    };
    const say = async (user, text) => {
      const id = await user.say(room, text);
      while (!members.every((u) => inbox.get(u).some((m) => m.id === id))) await new Promise((r) => setTimeout(r, 5));
      for (const u of members) {
        for (const m of inbox.get(u)) print(`  ${u.name} (live) ${show(m)}`);
        inbox.set(u, []);
      }
    };

    await join(alice, 3);
    for (let i = 1; i <= 7; i++) await say(alice, `note ${i}`);
    print(`history of #${room} keeps ${await alice.redis.llen(historyOf(room))} messages`);
    await join(bob, 3);
    await say(bob, 'hi alice');
    await say(alice, 'hello bob!');
    await alice.leave(room);
    members.splice(members.indexOf(alice), 1);
    print(`alice leaves #${room}`);
    await say(bob, 'bye');
    print(`last ${HISTORY_SIZE}: ${(await bob.redis.lrange(historyOf(room), 0, -1)).map((m) => JSON.parse(m).id).join(' ')}`);
  } finally {
    alice.disconnect();
    bob.disconnect();
  }
}

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await demo({ host: option('host', '127.0.0.1'), port: Number(option('port', '6379')) }, option('room', 'lobby'), (s) => console.log(s));
}
