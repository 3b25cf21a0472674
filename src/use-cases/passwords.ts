import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { AppError } from './errors.ts';

const scryptAsync = promisify(scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;

/** scrypt parameters (N=2^15, r=8, p=1: ~32 MiB, ~50 ms here), stored with each hash so they can rise later. */
const N = 32768;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const MAXMEM = 64 * 1024 * 1024;

/**
 * Password hashes that run at once: one core is always left to the event loop (2 on machines with
 * 3 or more cores, 1 on 2 cores). scrypt is memory-hard CPU work in libuv's thread pool (4 threads
 * by default, shared with file reads and DNS); unbounded, a burst of sign-ins held every thread
 * and every core for seconds (issue 8 finding 1). On the 2-core bench VM a second concurrent hash
 * took verifyCode's median from ≈ 3 ms to ≈ 15 ms during a storm (docs/benchmarks.md).
 */
export const CONCURRENT_HASHES = Math.max(1, Math.min(2, availableParallelism() - 1));
/** Hashes that may wait for a turn (≈ 16 hash times, under a second); beyond that, rate_limited. */
export const HASH_QUEUE_MAX = 16 * CONCURRENT_HASHES;

let hashing = 0;
const waitingForHash: (() => void)[] = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (hashing < CONCURRENT_HASHES) {
    hashing++;
  } else {
    if (waitingForHash.length >= HASH_QUEUE_MAX) {
      throw new AppError(
        'rate_limited',
        'Too many sign-ins are being checked right now; try again in a few seconds.',
        [],
        1,
      );
    }
    // A finishing hash hands its turn straight to the first in line (`hashing` stays the same).
    await new Promise<void>((resolve) => waitingForHash.push(resolve));
  }
  try {
    return await work();
  } finally {
    const next = waitingForHash.shift();
    if (next === undefined) hashing--;
    else next();
  }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await limited(() => scryptAsync(password, salt, KEY_LEN, { N, r: R, p: P, maxmem: MAXMEM }));
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  const key = await limited(() =>
    scryptAsync(password, salt, expected.length, { N: n, r, p, maxmem: MAXMEM }),
  );
  return timingSafeEqual(key, expected);
}

/** Compared against when the username is unknown, so timing does not reveal which usernames exist. */
export const DUMMY_PASSWORD_HASH = `scrypt$${N}$${R}$${P}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;
