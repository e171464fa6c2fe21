/**
 * Who may talk to the gateway's HTTP/ws listener. Loopback by default; beyond loopback a bearer token is
 * mandatory. Without a token (so on loopback) the Host header must name the loopback too: that stops a web page
 * on another site from reaching the gateway through DNS rebinding. State-changing requests and ws upgrades that
 * carry an Origin must come from the gateway's own origin, so another site cannot drive the gateway from a
 * visitor's browser (cross-site request forgery, cross-site WebSocket hijacking).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** A token shorter than this is too easy to guess to protect a listener on the network. */
export const MIN_TOKEN_LENGTH = 16;

export class HttpConfigError extends Error {
  override readonly name = 'HttpConfigError';

  constructor(
    message: string,
    /** The listen error's code (e.g. EADDRINUSE), when it came from one. */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) {
    const lower = bare.toLowerCase();
    return lower === '::1' || lower.startsWith('::ffff:127.');
  }
  return false;
}

/** Throws HttpConfigError when the host/token combination must not be served. */
export function checkListenConfig(host: string, token: string | null): void {
  // Spaces do not count: a token of 16 spaces is no secret.
  if (token !== null && token.replace(/\s/g, '').length < MIN_TOKEN_LENGTH) {
    throw new HttpConfigError(`the HTTP token must have at least ${MIN_TOKEN_LENGTH} characters that are not spaces`);
  }
  if (token === null && !isLoopbackHost(host)) {
    throw new HttpConfigError(
      `refusing to listen on ${host} without a token: beyond loopback the dashboard and API need one (set an HTTP token, or use 127.0.0.1)`,
    );
  }
}

/** The token a request presents: `Authorization: Bearer <t>` or the `token` query parameter (for browsers' ws). */
export function presentedToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match) return match[1];
  }
  const query = new URL(req.url ?? '/', 'http://gateway').searchParams.get('token');
  return query === null || query === '' ? null : query;
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes before the comparison. */
export function tokenMatches(presented: string | null, expected: string): boolean {
  if (presented === null) return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The host name of a Host header (`name:port`, `[v6]:port`), lowercase. */
function hostName(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return '';
  }
}

export interface AccessPolicy {
  /** Null when the request may proceed, else the status and message to refuse it with. */
  /** `stateChanging`: POST/PUT or a ws upgrade; `needsToken`: the route is protected by the token (if one is set). */
  check(req: IncomingMessage, options: { stateChanging: boolean; needsToken: boolean }): { status: number; error: string } | null;
}

export function accessPolicy(token: string | null): AccessPolicy {
  return {
    check(req, { stateChanging, needsToken }) {
      const host = req.headers.host ?? '';
      if (token === null && !isLoopbackHost(hostName(host))) {
        return { status: 403, error: 'this gateway only answers requests addressed to the loopback (localhost)' };
      }
      const origin = req.headers.origin;
      if (stateChanging && typeof origin === 'string') {
        // An opaque origin ("null": sandboxed frames, files) fails to parse and is refused like a foreign one.
        let originHost: string;
        try {
          originHost = new URL(origin).host;
        } catch {
          originHost = '';
        }
        if (originHost.toLowerCase() !== host.toLowerCase()) {
          return { status: 403, error: 'cross-origin request refused' };
        }
      }
      if (needsToken && token !== null && !tokenMatches(presentedToken(req), token)) {
        return { status: 401, error: 'missing or wrong token: send "Authorization: Bearer <token>" or ?token=<token>' };
      }
      return null;
    },
  };
}
