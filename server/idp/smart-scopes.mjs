// SMART scope policy of the development authorization server: which requested scopes a client may get.
// Mirrors the resource server's parser (server/auth/scopes.ts) in plain JS: this process runs apart from the server.

const ORDER = ['c', 'r', 'u', 'd', 's'];
const V1 = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ORDER };
const SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{0,63})\.([^?]+)(?:\?(.+))?$/;

/** { level, type, perms:Set, query } or undefined. */
export function parseSmartScope(raw) {
  if (typeof raw !== 'string' || raw.length > 512) return undefined;
  const m = SCOPE.exec(raw);
  if (!m) return undefined;
  const [, level, type, perm, query] = m;
  const perms = V1[perm] ?? (/^c?r?u?d?s?$/.test(perm) && perm !== '' ? [...perm] : undefined);
  if (!perms || (query && V1[perm])) return undefined;
  return { level, type, perms: new Set(perms), query };
}

/** True when `allowed` (a client's registered scope) covers `requested`: same level, type, a subset of permissions. */
function covers(allowed, requested) {
  if (allowed.level !== requested.level) return false;
  if (allowed.type !== '*' && allowed.type !== requested.type) return false;
  if (allowed.query && allowed.query !== requested.query) return false;
  return [...requested.perms].every((p) => allowed.perms.has(p));
}

/** The requested SMART resource scopes (space-separated) this client may have, given its `smart_scopes`. */
export function grantableScopes(requested, clientAllowed) {
  const allowed = String(clientAllowed ?? '').split(/\s+/).map(parseSmartScope).filter(Boolean);
  return String(requested ?? '').split(/\s+/).filter((s) => {
    const r = parseSmartScope(s);
    return r && allowed.some((a) => covers(a, r));
  });
}
