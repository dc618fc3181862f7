/**
 * The SMART scope model (App Launch 2.x §Scopes and Launch Context), pure: parses a scope string
 * (v1 `patient/Observation.read`, v2 `user/Condition.cruds`, query-restricted
 * `patient/Observation.rs?category=laboratory`, `system/` scopes, launch and identity scopes) and
 * answers which interactions it grants on which types. Unknown scopes are ignored, never an error
 * (the spec lets servers drop what they do not understand).
 */

/** SMART v2 permissions: create, read, update, delete, search. */
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';
export type ScopeLevel = 'patient' | 'user' | 'system';

export interface ResourceScope {
  level: ScopeLevel;
  /** A resource type or '*'. */
  type: string;
  permissions: ReadonlySet<Permission>;
  /** v2 query restriction (`?category=laboratory`): name/value pairs that must all hold. */
  restriction?: [string, string][];
  version: 1 | 2;
  raw: string;
}

export interface ParsedScopes {
  resources: ResourceScope[];
  /** `launch/patient` (standalone: the app asks the server to pick a patient). */
  launchPatient: boolean;
  /** `launch` (EHR launch). */
  launch: boolean;
  openid: boolean;
  fhirUser: boolean;
  offlineAccess: boolean;
  onlineAccess: boolean;
}

const ORDER: readonly Permission[] = ['c', 'r', 'u', 'd', 's'];
const V1: Record<string, readonly Permission[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ORDER };
const TYPE = /^(\*|[A-Z][A-Za-z]{0,63})$/;
const SCOPE = /^(patient|user|system)\/([^./?]+)\.([^?]+)(?:\?(.*))?$/;
/** Bounds keep a hostile scope string from costing more than a few microseconds. */
const MAX_SCOPES = 200;
const MAX_SCOPE_LENGTH = 512;

/** v2 permission letters must appear in the canonical order c, r, u, d, s, each at most once. */
function v2Permissions(text: string): Permission[] | undefined {
  if (!/^c?r?u?d?s?$/.test(text) || text === '') return undefined;
  return [...text] as Permission[];
}

function restrictionOf(query: string): [string, string][] | undefined {
  const out: [string, string][] = [];
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    try {
      out.push([decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '))]);
    } catch {
      return undefined;
    }
  }
  return out.length ? out : undefined;
}

/** One resource scope, or undefined when it is not one (or malformed). */
export function parseResourceScope(raw: string): ResourceScope | undefined {
  if (raw.length > MAX_SCOPE_LENGTH) return undefined;
  const m = SCOPE.exec(raw);
  if (!m || !TYPE.test(m[2])) return undefined;
  const [, level, type, perm, query] = m;
  const v1 = V1[perm];
  const v2 = v1 ? undefined : v2Permissions(perm);
  if (!v1 && !v2) return undefined;
  // Query restrictions exist only in v2 syntax.
  if (query !== undefined && !v2) return undefined;
  const restriction = query !== undefined ? restrictionOf(query) : undefined;
  if (query !== undefined && !restriction) return undefined;
  return {
    level: level as ScopeLevel, type, permissions: new Set(v1 ?? v2), version: v1 ? 1 : 2, raw,
    ...(restriction ? { restriction } : {}),
  };
}

/** Parses a space-separated scope string (or a list); duplicates and unknown scopes are dropped. */
export function parseScopes(scopes: string | readonly string[]): ParsedScopes {
  const list = (typeof scopes === 'string' ? scopes.split(/\s+/) : scopes).filter((s) => s !== '').slice(0, MAX_SCOPES);
  const set = new Set(list);
  const resources: ResourceScope[] = [];
  for (const s of set) {
    const r = parseResourceScope(s);
    if (r) resources.push(r);
  }
  return {
    resources,
    launchPatient: set.has('launch/patient'),
    launch: set.has('launch'),
    openid: set.has('openid'),
    fhirUser: set.has('fhirUser'),
    offlineAccess: set.has('offline_access'),
    onlineAccess: set.has('online_access'),
  };
}

/**
 * parseScopes, remembered per scopes array: a cached token's claims hand every request the same
 * array, so its scopes are parsed once per token, not once per request (or Bundle entry).
 */
const parsedByList = new WeakMap<readonly string[], ParsedScopes>();
export function parsedScopesOf(scopes: readonly string[]): ParsedScopes {
  let parsed = parsedByList.get(scopes);
  if (!parsed) {
    parsed = parseScopes(scopes);
    parsedByList.set(scopes, parsed);
  }
  return parsed;
}

/** The scopes granting `permission` on `type` at any level in `levels` (wildcards included). */
export function grantsFor(parsed: ParsedScopes, permission: Permission, type: string, levels: readonly ScopeLevel[] = ['patient', 'user', 'system']): ResourceScope[] {
  return parsed.resources.filter((r) => levels.includes(r.level) && (r.type === '*' || r.type === type) && r.permissions.has(permission));
}

/** Serialises a resource scope in v2 syntax (used by tests and the discovery document). */
export function formatScope(level: ScopeLevel, type: string, permissions: Iterable<Permission>, restriction?: [string, string][]): string {
  const have = new Set(permissions);
  const perm = ORDER.filter((p) => have.has(p)).join('');
  const query = restriction?.length ? `?${restriction.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
  return `${level}/${type}.${perm}${query}`;
}
