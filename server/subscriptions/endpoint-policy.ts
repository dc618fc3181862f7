/**
 * Which rest-hook endpoints a Subscription may name: http(s) only, and no loopback, private, link-local or
 * otherwise internal address unless the operator allows it (SUBSCRIPTION_ALLOW_PRIVATE, or the host is in
 * SUBSCRIPTION_ALLOWED_HOSTS): a subscription must not turn the server into a probe of its own network.
 */
import { isIP } from 'node:net';

export interface EndpointPolicy {
  allowPrivate: boolean;
  /** Host names (lower case) allowed even when internal. */
  allowedHosts: readonly string[];
}

const INTERNAL_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/;

function internalV4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
    || (a === 100 && b >= 64 && b <= 127) || a >= 224;
}

function internalV6(ip: string): boolean {
  const x = ip.toLowerCase();
  if (x === '::' || x === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(x);
  if (mapped) return internalV4(mapped[1]);
  // URL() writes an IPv4-mapped address in hex: [::ffff:7f00:1] is 127.0.0.1
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(x);
  if (hex) {
    const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
    return internalV4(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(x);
}

/** True when `host` (a URL's hostname) names this machine or a private network. */
export function isInternalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  const kind = isIP(h);
  if (kind === 4) return internalV4(h);
  if (kind === 6) return internalV6(h);
  return INTERNAL_NAMES.test(h) || !h.includes('.');
}

/** Why the endpoint is refused, or undefined when it may be used. */
export function refuseEndpoint(policy: EndpointPolicy, endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'channel.endpoint is not an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'channel.endpoint must be an http or https URL';
  if (url.username || url.password) return 'channel.endpoint must not carry credentials; use channel.header';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (policy.allowPrivate || policy.allowedHosts.includes(host)) return undefined;
  if (isInternalHost(host)) return `channel.endpoint host ${host} is internal (loopback, private or link-local); the server does not deliver there unless SUBSCRIPTION_ALLOW_PRIVATE or SUBSCRIPTION_ALLOWED_HOSTS allows it`;
  return undefined;
}
