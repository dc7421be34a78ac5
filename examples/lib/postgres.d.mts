/** Types of postgres.mjs (a throw-away PostgreSQL for the examples), for the TypeScript tests. */

export declare const NO_POSTGRES: string;

export interface Postgres {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  stop(): Promise<void>;
}

export interface Database {
  url: string;
  /** True when openDatabase started a throw-away PostgreSQL. */
  started: boolean;
  stop(): Promise<void>;
}

export declare function havePostgres(): boolean;
export declare function freePort(): Promise<number>;
export declare function startPostgres(options?: { port?: number }): Promise<Postgres>;
export declare function openDatabase(url?: string): Promise<Database>;
