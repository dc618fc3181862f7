/** Splits a query string into decoded [name, value] pairs, keeping order and repeats (as the REST layer does). */
export function queryPairs(qs: string): [string, string][] {
  return qs.split('&').filter(Boolean).map((p) => {
    const i = p.indexOf('=');
    return [decodeURIComponent(p.slice(0, i)), decodeURIComponent(p.slice(i + 1))];
  });
}
