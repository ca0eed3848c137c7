// DNS rebinding: a web page can make the browser send its requests to 127.0.0.1
// under the page's own name (evil.example, re-resolved to 127.0.0.1), and read the
// replies as same-origin. So while the engine listens on loopback only, it answers
// only requests addressed to a loopback name; no rebinding name can be one.
import { isIPv4 } from 'node:net';

/** True for the addresses a server bound to loopback reports (127.0.0.0/8, ::1, their mapped forms). */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (a === 'localhost' || a === '::1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a;
  return isIPv4(v4) && v4.startsWith('127.');
}

/**
 * True when a Host header names this machine's loopback: 127.0.0.1, [::1], localhost or a
 * subdomain of localhost (virtual-hosted buckets, mybucket.localhost), with or without a port.
 * Names under .localhost always resolve to loopback (RFC 6761), so no other site can own one.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/.exec(host.toLowerCase());
  if (!m) return false;
  const name = m[1]!;
  return name === '127.0.0.1' || name === '[::1]' || name === 'localhost' || /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.localhost$/.test(name);
}
