/**
 * DNS rebinding guard for rest-hook delivery: the endpoint's host was checked when the Subscription was
 * written, but a name can resolve elsewhere later. Every connection resolves the host through this lookup,
 * which refuses the connection when any address it got is internal (loopback, private, link-local…) unless
 * the operator allows it. The check is on the addresses the socket then connects to: no check-then-use gap.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { type EndpointPolicy, isInternalHost } from './endpoint-policy';

/** How the host is resolved (node:dns by default; tests pass a fixed answer). */
export type Resolve = (host: string, options: LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export class RefusedAddressError extends Error {
  constructor(host: string) {
    super(`channel.endpoint host ${host} resolves to an internal address; the server does not deliver there unless SUBSCRIPTION_ALLOW_PRIVATE or SUBSCRIPTION_ALLOWED_HOSTS allows it`);
    this.name = 'RefusedAddressError';
  }
}

/** The addresses may be connected to, or the refusal. */
export function checkAddresses(policy: EndpointPolicy, host: string, addresses: readonly LookupAddress[]): RefusedAddressError | undefined {
  if (policy.allowPrivate || policy.allowedHosts.includes(host.toLowerCase())) return undefined;
  return addresses.length === 0 || addresses.some((a) => isInternalHost(a.address)) ? new RefusedAddressError(host) : undefined;
}

export function guardedLookup(policy: EndpointPolicy, resolve: Resolve = dnsLookup): LookupFunction {
  return (host, options, callback) => {
    resolve(host, { ...options, all: true }, (err, addresses) => {
      const refused = err ?? checkAddresses(policy, host, addresses);
      if (refused) {
        callback(refused, '', 0);
        return;
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
