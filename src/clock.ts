/**
 * Clock: where "now" comes from. The server reads it once per command (Redis's
 * commandTimeSnapshot), so every expiry decision inside one command agrees; tests inject a
 * ManualClock to move time without sleeping.
 */
export interface Clock {
  /** Unix time in milliseconds. */
  now(): number;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}

/** A clock that moves only when told (tests). */
export class ManualClock implements Clock {
  constructor(private ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}
