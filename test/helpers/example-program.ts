/**
 * Runs one of the examples/ programs as a user would (`node examples/<name>/<name>.mjs --port P
 * ...`) and gives its standard output; a failed run rejects with its standard error.
 */
import { execFile } from 'node:child_process';

export function runExampleProgram(program: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [program, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The line a PostgreSQL example prints when it starts its own server (its port varies). */
export const withoutPostgresLine = (out: string): string => out.replace(/^started a throw-away PostgreSQL on 127\.0\.0\.1:\d+\n/, '');
