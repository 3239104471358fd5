/**
 * What every request must pass before a route runs (the server listens where a browser may reach
 * it, so cross-site pages and DNS rebinding are the threats):
 * - an Origin header must be the server's own (http://host:port) or one of --allow-origin (else 403);
 * - the Host header must name the server (else 403: a rebound name sends its own name as Host),
 *   except when listening on every address (0.0.0.0 or ::), where any name may reach it;
 * - a POST must be `Content-Type: application/json` (else 415): a page cannot send that cross-site
 *   without a CORS preflight, which this server never approves.
 * POST /train's token is checked in index.ts.
 */
import { isIP } from 'node:net';

/** An error answered to the client with its status and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Names that are this machine: listening on one of them is loopback-only. */
export const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface GuardOptions {
  host: string;
  allowOrigins: ReadonlySet<string>;
}

/** The host:port names this server answers to, for the Host and Origin checks. */
function ownHosts(host: string, port: number): Set<string> {
  const names = LOOPBACK.has(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [isIP(host) === 6 ? `[${host}]` : host];
  return new Set(names.map((h) => `${h}:${port}`));
}

const short = (s: string) => JSON.stringify(s.slice(0, 100));

/** Throws HttpError for a request that must not reach a route. */
export function checkRequest(
  o: GuardOptions,
  port: number,
  req: { method: string; url: string; headers: Record<string, string | string[] | undefined> },
): void {
  const hosts = ownHosts(o.host, port);
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const origin = header('origin');
  const allowed = origin !== undefined && o.allowOrigins.has(origin);
  if (origin !== undefined && !allowed) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new HttpError(403, 'the Origin header is not a URL');
    }
    if (url.protocol !== 'http:' || !hosts.has(url.host))
      throw new HttpError(403, `requests from origin ${short(origin)} are not allowed (see --allow-origin)`);
  }
  const everywhere = o.host === '0.0.0.0' || o.host === '::';
  const host = header('host') ?? '';
  if (!allowed && !everywhere && !hosts.has(host)) throw new HttpError(403, `Host ${short(host)} is not this server`);
  if (req.method === 'POST') {
    const type = (header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') throw new HttpError(415, 'POST bodies must be sent with Content-Type: application/json');
  }
}
