/**
 * The optional queue packages (bullmq and its Redis client, ioredis), loaded only for --redis,
 * and a bounded first contact with the server: an unreachable Redis is one line naming the URL.
 */
import { SweepError } from './errors.js';

// The packages' types are not a build dependency: the shapes used here, kept small.
export type BullMq = typeof import('bullmq');
type RedisCtor = new (url: string, options: Record<string, unknown>) => RedisClient;
export interface RedisClient {
  connect(): Promise<void>;
  ping(): Promise<string>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: string, fn: (...a: unknown[]) => void): unknown;
}

const MISSING = '--redis needs the optional packages bullmq and ioredis: run npm install bullmq ioredis';

export async function loadBullMq(): Promise<BullMq> {
  try {
    return await import('bullmq');
  } catch {
    throw new SweepError(MISSING);
  }
}

async function redisCtor(): Promise<RedisCtor> {
  try {
    const mod = (await import('ioredis')) as unknown as { Redis?: RedisCtor; default?: RedisCtor };
    return (mod.Redis ?? mod.default)!;
  } catch {
    throw new SweepError(MISSING);
  }
}

/** Checks the URL's form: redis://HOST:PORT (or rediss:// for TLS). */
export function checkRedisUrl(url: string): void {
  let u: URL | null = null;
  try {
    u = new URL(url);
  } catch {
    // explained below
  }
  if (!u || (u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.hostname) {
    throw new SweepError(`--redis ${url}: expected a URL like redis://HOST:6379`);
  }
}

/**
 * A connection for BullMQ (maxRetriesPerRequest null, as its workers require), opened only after a
 * one-shot connect + PING within `timeoutMs` succeeded, so a wrong URL fails fast.
 */
export async function connectRedis(url: string, timeoutMs = 5000): Promise<RedisClient> {
  checkRedisUrl(url);
  const Redis = await redisCtor();
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let cause: Error | undefined; // the socket's own error says more than the client's "Connection is closed"
  probe.on('error', (e) => (cause ??= e as Error));
  try {
    await Promise.race([
      probe.connect().then(() => probe.ping()),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs).unref()),
    ]);
  } catch (e) {
    probe.disconnect();
    throw new SweepError(`cannot reach Redis at ${url}: ${(cause ?? (e as Error)).message}; start redis-server there or fix --redis`);
  }
  probe.disconnect();
  const client = new Redis(url, { maxRetriesPerRequest: null });
  client.on('error', () => {}); // ioredis reconnects by itself; a lasting outage shows as jobs not finishing
  return client;
}
