/**
 * Scripted steps over several raw connections, for differential tests that compare the raw
 * replies of Kioku and redis-server: each step names the connection that sends it, then the
 * command; ['SLEEP', ms] on any connection waits instead. `setup` and `teardown` run on the first
 * connection around the steps (resetting what the steps change).
 */
import { RawConnection } from './raw-connection.js';

/** A step: which connection sends it, then the command. */
export type Step = [number, ...string[]];

/** Steps all on the first connection. */
export const onOne = (script: string[][]): Step[] => script.map((cmd) => [0, ...cmd]);

export interface StepHooks {
  setup?: (c: RawConnection) => Promise<void>;
  teardown?: (c: RawConnection) => Promise<void>;
}

/** Runs the steps in RESP2 or RESP3 (HELLO 3 on every connection); the raw reply of each step. */
export async function runSteps(port: number, steps: Step[], protocol: 2 | 3, hooks: StepHooks = {}): Promise<string[]> {
  const conns = Math.max(...steps.map((s) => s[0])) + 1;
  const cs: RawConnection[] = [];
  try {
    for (let i = 0; i < conns; i++) {
      const c = await RawConnection.connect(port);
      cs.push(c);
      if (protocol === 3) await c.call('HELLO', '3');
    }
    await hooks.setup?.(cs[0]!);
    const out: string[] = [];
    for (const [i, ...cmd] of steps) {
      if (cmd[0] === 'SLEEP') {
        await new Promise((res) => setTimeout(res, Number(cmd[1])));
        out.push('');
      } else {
        out.push(await cs[i]!.call(...cmd));
      }
    }
    await hooks.teardown?.(cs[0]!);
    return out;
  } finally {
    for (const c of cs) c.close();
  }
}
