/**
 * Shared by the benchmark scripts: free loopback ports, starting a server process and waiting
 * until it answers PING, stopping every started process when the script exits, and the seeded
 * scores both servers get.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Processes started here, killed when the script exits (whatever the reason). */
export const children = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Spawns a server (output discarded) and resolves with its process once it answers PING. */
export async function startServer(command, argv, port) {
  const child = spawn(command, argv, { stdio: 'ignore' });
  children.push(child);
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${command} exited (${child.exitCode})`);
    const ok = await new Promise((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => s.write('PING\r\n'));
      s.on('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return child;
    await sleep(100);
  }
  throw new Error(`${command} did not start on port ${port}`);
}

/** A pseudo-random score in [0, 1e6) for element i (mulberry32 of i): the same on both servers. */
export function seededScore(i) {
  let t = (i + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 1e6;
}

/**
 * Reads `--name value` numeric options into a copy of `defaults` (every key is an option); an
 * unknown one ends the script with a usage hint.
 */
export function numericOptions(defaults, argv = process.argv.slice(2)) {
  const o = { ...defaults };
  const args = [...argv];
  while (args.length > 0) {
    const a = args.shift();
    const key = a.startsWith('--') ? a.slice(2) : undefined;
    if (key === undefined || !(key in defaults)) {
      console.error(`unknown argument: ${a} (see the header of this script)`);
      process.exit(2);
    }
    o[key] = Number(args.shift());
  }
  return o;
}

/** Starts Kioku (bin/kioku-server under `root`) and redis-server on free ports, no persistence. */
export async function startBoth(root) {
  const kiokuPort = await freePort();
  const redisPort = await freePort();
  // Kioku works in a temporary directory: a dump.rdb left in the working directory is not loaded.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-bench-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  await startServer(
    `${root}/bin/kioku-server`,
    ['--port', String(kiokuPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'],
    kiokuPort,
  );
  await startServer('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], redisPort);
  return { kiokuPort, redisPort };
}
