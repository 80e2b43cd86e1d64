/**
 * What keeps web pages away from a Raceway server on a developer's machine. A page on any origin can
 * make the browser send requests to `http://127.0.0.1:8080`; without these checks it could read the
 * recorded races and traces (values of the program's variables) and post events:
 *
 * - no wildcard CORS: answers carry `access-control-allow-origin` only for the one origin given with
 *   `--cors`, so a page elsewhere cannot read them;
 * - a request whose `Origin` is neither the server's own nor the allowed one is refused (403): a
 *   cross-origin form or `fetch(..., {mode: 'no-cors'})` cannot write either;
 * - `POST /events` must be `application/json`: `text/plain` and form bodies are what a page can send
 *   without a preflight;
 * - bound to a loopback address, the `Host` header must name a loopback host (`localhost`,
 *   `127.0.0.1`, `[::1]`): a DNS-rebinding page whose own name resolves to 127.0.0.1 is refused.
 *
 * Clients that are not browsers (the runtime, `raceway races`, curl) send no `Origin` and a loopback
 * `Host`, and are not affected.
 */
import type http from 'node:http';

export interface BrowserPolicy {
  /** The one cross-origin page origin allowed to use the API (`--cors`), or null. */
  corsOrigin: string | null;
  /** Whether the server is bound to a loopback address (then `Host` must be a loopback name). */
  loopbackOnly: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** `127.0.0.1`, `::1`, `localhost`: the addresses only this machine can reach. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The host name part of a `Host` header (`127.0.0.1:8080` → `127.0.0.1`, `[::1]:80` → `[::1]`). */
function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** The request came from a page of the server's own origin (the web view). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.trim().toLowerCase();
  } catch {
    return false;
  }
}

/** Why the request is refused (a one-line reason for a 403), or null when it may proceed. */
export function refusal(req: http.IncomingMessage, policy: BrowserPolicy): string | null {
  const host = req.headers.host;
  if (policy.loopbackOnly && (host === undefined || !LOOPBACK_HOSTS.has(hostName(host)) && !isLoopbackAddress(hostName(host)))) {
    return `host "${host ?? ''}" not allowed: this server is bound to a loopback address; use http://127.0.0.1 or http://localhost`;
  }
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== policy.corsOrigin && !sameOrigin(origin, host)) {
    return `origin ${origin} not allowed${policy.corsOrigin ? '' : '; start the server with --cors ORIGIN to allow one'}`;
  }
  return null;
}

/** CORS headers for an answer to `req`: only the allowed origin is ever named. */
export function corsHeaders(req: http.IncomingMessage, policy: BrowserPolicy): Record<string, string> {
  const origin = req.headers.origin;
  if (policy.corsOrigin === null || origin !== policy.corsOrigin) return {};
  return { 'access-control-allow-origin': origin, vary: 'origin' };
}

/** `POST /events` bodies must be JSON (`application/json`, with or without parameters). */
export function isJsonContentType(req: http.IncomingMessage): boolean {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}
