/**
 * bin/kioku-server as a separate process, as users start it: spawned with the given arguments,
 * resolved once it logs "Ready to accept connections", with the port it reports and its log
 * messages. Needs the compiled server (dist/): `npm test` builds it first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const KIOKU_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const KIOKU_BIN = path.join(KIOKU_ROOT, 'bin', 'kioku-server');

export interface KiokuProcess {
  child: ChildProcess;
  port: number;
  /** The log messages so far (pino JSON lines, msg fields). */
  messages: string[];
  /** The exit code, and the ms from the last signal sent through child.kill to the exit. */
  exited: Promise<{ code: number | null; ms: number }>;
}

/** Spawns kioku-server and waits for "Ready to accept connections" (bounded: 10 s). */
export function startKiokuProcess(args: string[], opts: { cwd?: string; stdin?: string } = {}): Promise<KiokuProcess> {
  const child = spawn(process.execPath, [KIOKU_BIN, ...args], { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.end(opts.stdin);
  const messages: string[] = [];
  let signalledAt = 0;
  const kill = child.kill.bind(child);
  child.kill = (sig?: NodeJS.Signals | number) => {
    signalledAt = Date.now();
    return kill(sig);
  };
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, ms: Date.now() - signalledAt })),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const t = setTimeout(() => reject(new Error(`kioku-server did not start: ${out}${err}`)), 10_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const msg = (JSON.parse(line) as { msg: string }).msg;
        messages.push(msg);
        if (msg === 'Ready to accept connections') {
          clearTimeout(t);
          const running = messages.map((m) => /^Running mode=standalone, port=(\d+)\.$/.exec(m)).find((m) => m);
          resolve({ child, port: Number(running![1]), messages, exited });
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`kioku-server exited ${code}: ${out}${err}`)));
  });
}
