/**
 * `unixsocket` / `unixsocketperm`: Kioku listens on a Unix-domain socket as well as TCP; such
 * clients are local (protected mode lets them in), CLIENT LIST shows them as Redis does
 * (addr=<path>:0, flags=U), the file gets the configured mode, and stopping removes it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-unix-'));
const sock = path.join(dir, 'kioku.sock');
let t: TestServer | undefined;
afterAll(async () => {
  await t?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('unixsocket', () => {
  it('serves clients on the socket file with unixsocketperm, and removes the file when stopped', async () => {
    // A stale file from a crashed server is replaced.
    fs.writeFileSync(sock, 'stale');
    t = await startTestServer({ unixsocket: sock, unixsocketperm: '700', 'protected-mode': 'yes' });
    expect(fs.statSync(sock).isSocket()).toBe(true);
    expect(fs.statSync(sock).mode & 0o777).toBe(0o700);
    const c = await t.client({ path: sock });
    expect(await c.ping()).toBe('PONG');
    const info = String(await c.client('INFO'));
    expect(info).toContain(`addr=${sock}:0 laddr=${sock}:0 `);
    expect(info).toMatch(/ flags=U /);
    expect(await c.config('GET', 'unixsocket')).toEqual(['unixsocket', sock]);
    // redis-cli -s, as users reach a local server.
    // (asynchronously: the server runs in this process)
    expect((await promisify(execFile)('redis-cli', ['-s', sock, 'set', 'via', 'unix'])).stdout).toBe('OK\n');
    expect(await c.get('via')).toBe('unix');
    // TCP keeps working beside it.
    const tcp = await t.client();
    expect(await tcp.get('via')).toBe('unix');
    await t.stop();
    t = undefined;
    expect(fs.existsSync(sock)).toBe(false);
  });
});
