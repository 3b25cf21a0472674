import type { EpochMs } from '../domain/types.ts';

/** The only source of "now" for use cases; tests pass a ManualClock so every expiry is controllable. */
export interface Clock {
  now(): EpochMs;
}

export const systemClock: Clock = { now: () => Date.now() as EpochMs };

export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): EpochMs {
    return this.current as EpochMs;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
