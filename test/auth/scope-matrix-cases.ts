/**
 * The cases of the scope × interaction matrix (scope-matrix.test.ts): [token spec, method, path, status, body].
 * Token specs: `sys:` client credentials, `pat:` a launch choosing Maria, `user:` a user login. Every entry of
 * the interaction table and every row of the access tables (rest/access-requirements.ts) has a case here.
 */
export const newObs = (patient: string, category = 'laboratory') => ({
  resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patient}` },
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }] }],
});
const newCondition = { resourceType: 'Condition', subject: { reference: 'Patient/maria' }, code: { text: 'Hypertension' } };
const BP = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';
const newSubscription = (id?: string) => ({
  resourceType: 'Subscription', ...(id ? { id } : {}), status: 'requested', reason: 'matrix', criteria: 'https://twinfhir.org/fhir/SubscriptionTopic/provisional-finding',
  channel: { type: 'rest-hook', endpoint: 'https://receiver.example.org/hook', payload: 'application/fhir+json', _payload: { extension: [{ url: `${BP}/backport-payload-content`, valueCode: 'id-only' }] } },
});
const searchParameter = {
  resourceType: 'SearchParameter', url: 'https://twinfhir.org/fhir/SearchParameter/test-note', name: 'test-note', status: 'active',
  description: 'x', code: 'test-note', base: ['Observation'], type: 'string', expression: 'Observation.note.text',
};

export const importParameters = {
  resourceType: 'Parameters',
  parameter: [{ name: 'inputFormat', valueCode: 'application/fhir+ndjson' }, { name: 'input', part: [{ name: 'url', valueUri: 'Binary/none' }] }],
};

export type Case = [token: string, method: string, path: string, status: number, body?: unknown];
export const MATRIX: Case[] = [
  // SMART v1 user scopes
  ['user:user/*.read', 'GET', 'Observation/lab-sofia', 200],
  ['user:user/*.read', 'GET', 'Condition', 200],
  ['user:user/*.read', 'GET', 'Observation/lab-sofia/_history', 200],
  ['user:user/*.read', 'POST', 'Condition', 403, newCondition],
  ['user:user/*.read', 'DELETE', 'Observation/lab-maria', 403],
  // SMART v2, one type
  ['user:user/Observation.rs', 'GET', 'Observation/lab-sofia', 200],
  ['user:user/Observation.rs', 'GET', 'Observation?code=2345-7', 200],
  ['user:user/Observation.rs', 'GET', 'Condition/cond-maria', 403],
  ['user:user/Observation.rs', 'GET', 'Condition', 403],
  ['user:user/Observation.rs', 'POST', 'Observation', 403, newObs('maria')],
  ['user:user/Observation.rs', 'GET', 'Patient/maria/$everything', 403],
  ['user:user/Observation.r', 'GET', 'Observation', 403],
  ['user:user/Condition.cruds', 'POST', 'Condition', 201, newCondition],
  ['user:user/Condition.cruds', 'PUT', 'Condition/cond-new', 201, { ...newCondition, id: 'cond-new' }],
  ['user:user/Condition.cruds', 'DELETE', 'Condition/cond-new', 200],
  ['user:user/Condition.cruds', 'GET', 'Observation/lab-maria', 403],
  ['user:user/Condition.cud', 'GET', 'Condition/cond-maria', 403],
  // patient context (Maria): her compartment only; reads elsewhere 404, writes elsewhere 403
  ['pat:patient/*.rs', 'GET', 'Observation/lab-maria', 200],
  ['pat:patient/*.rs', 'GET', 'Patient/maria', 200],
  ['pat:patient/*.rs', 'GET', 'Observation/lab-sofia', 404],
  ['pat:patient/*.rs', 'GET', 'Observation/lab-sofia/_history/1', 404],
  ['pat:patient/*.rs', 'GET', 'Observation/lab-sofia/_history', 404],
  ['pat:patient/*.rs', 'GET', 'Patient/sofia', 404],
  ['pat:patient/*.rs', 'GET', 'Patient/nobody', 404],
  ['pat:patient/*.rs', 'GET', 'Organization/org-1', 404],
  ['pat:patient/*.rs', 'GET', 'Patient/sofia/Observation', 404],
  ['pat:patient/*.rs', 'GET', 'Patient/sofia/$everything', 404],
  ['pat:patient/*.rs', 'GET', 'Observation/_history', 200],
  ['pat:patient/*.rs', 'GET', '_history', 403],
  ['pat:patient/*.rs', 'POST', 'Observation', 403, newObs('maria')],
  ['pat:patient/*.cruds', 'POST', 'Observation', 201, newObs('maria')],
  ['pat:patient/*.cruds', 'POST', 'Observation', 403, newObs('sofia')],
  ['pat:patient/*.cruds', 'PUT', 'Observation/lab-sofia', 403, { ...newObs('maria'), id: 'lab-sofia' }],
  ['pat:patient/*.cruds', 'PUT', 'Observation/lab-maria', 403, { ...newObs('sofia'), id: 'lab-maria' }],
  ['pat:patient/*.cruds', 'DELETE', 'Observation/lab-sofia', 403],
  ['pat:patient/*.cruds', 'POST', 'Organization', 403, { resourceType: 'Organization', name: 'x' }],
  ['pat:patient/*.write patient/*.read', 'POST', 'Condition', 201, newCondition],
  // query-restricted v2 scope
  ['pat:patient/Observation.rs?category=laboratory', 'GET', 'Observation?category=laboratory', 200],
  ['pat:patient/Observation.rs?category=laboratory', 'GET', 'Observation', 403],
  ['pat:patient/Observation.rs?category=laboratory', 'GET', 'Observation?category=laboratory,vital-signs', 403],
  ['pat:patient/Observation.rs?category=laboratory', 'GET', 'Observation/lab-maria', 200],
  ['pat:patient/Observation.rs?category=laboratory', 'GET', 'Observation/vitals-maria', 404],
  ['pat:patient/Observation.rs?category=laboratory', 'GET', 'Condition/cond-maria', 403],
  ['user:user/Observation.cruds?category=laboratory', 'POST', 'Observation', 201, newObs('sofia')],
  ['user:user/Observation.cruds?category=laboratory', 'POST', 'Observation', 403, newObs('sofia', 'vital-signs')],
  // backend services and administrative operations
  ['sys:system/*.rs', 'GET', 'Observation', 200],
  ['sys:system/*.rs', 'GET', 'AuditEvent', 200],
  ['sys:system/*.rs', 'POST', 'Observation', 403, newObs('maria')],
  ['sys:system/*.rs', 'POST', '$reindex', 403],
  ['sys:system/*.rs', 'POST', 'SearchParameter', 403, searchParameter],
  ['sys:system/*.cruds', 'POST', 'SearchParameter', 201, searchParameter],
  ['user:user/*.cruds', 'POST', 'SearchParameter', 403, { ...searchParameter, url: `${searchParameter.url}-2` }],
  ['user:user/*.cruds', 'GET', 'AuditEvent', 403],
  ['user:user/*.cruds', 'POST', '$reindex', 403],
  ['user:user/*.cruds', 'GET', 'Patient/maria/$everything', 200],
  ['user:user/*.cruds', 'POST', 'Observation', 201, newObs('maria')],
  // bulk $import: a system/ write scope at kick-off (each line's type is checked per line, below)
  ['sys:system/*.rs', 'POST', '$import', 403, importParameters],
  ['user:user/*.cruds', 'POST', '$import', 403, importParameters],
  ['pat:patient/*.cruds', 'POST', '$import', 403, importParameters],
  ['sys:system/*.rs', 'GET', '$import-status/any-job', 404],
  // Subscriptions: their own scopes; $status, $events, $get-ws-binding-token need Subscription read and the author's client
  ['user:user/Observation.rs', 'POST', 'Subscription', 403, newSubscription()],
  ['pat:patient/*.cruds', 'POST', 'Subscription', 403, newSubscription()],
  ['user:user/Subscription.cruds', 'PUT', 'Subscription/sub-matrix', 201, newSubscription('sub-matrix')],
  ['user:user/Subscription.rs', 'GET', 'Subscription/sub-matrix/$status', 200],
  ['user:user/Subscription.rs', 'GET', 'Subscription/sub-matrix/$events', 200],
  ['user:user/Subscription.rs', 'GET', 'Subscription/sub-matrix/$get-ws-binding-token', 422],
  ['user:user/Observation.rs', 'GET', 'Subscription/sub-matrix/$status', 403],
  ['user:user/Observation.rs', 'GET', 'Subscription/sub-matrix/$events', 403],
  ['sys:system/*.rs', 'GET', 'Subscription/sub-matrix/$status', 403],
  ['sys:system/*.rs', 'GET', 'Subscription/sub-matrix/$events', 403],
  // the remaining interactions: conditional writes, POST searches, system search, batch
  ['user:user/Observation.rs', 'PATCH', 'Observation/lab-maria', 403, [{ op: 'replace', path: '/status', value: 'amended' }]],
  ['user:user/Observation.rs', 'PUT', 'Observation?code=2345-7', 403, newObs('maria')],
  ['user:user/Observation.rs', 'PATCH', 'Observation?code=2345-7', 403, [{ op: 'replace', path: '/status', value: 'amended' }]],
  ['user:user/Observation.rs', 'DELETE', 'Observation?code=2345-7', 403],
  ['user:user/Condition.rs', 'POST', 'Observation/_search', 403],
  ['user:user/Condition.rs', 'POST', 'Patient/maria/Observation/_search', 403],
  ['pat:patient/*.rs', 'GET', '?_type=Observation', 403],
  ['pat:patient/*.rs', 'POST', '_search', 403],
  ['user:user/*.read', 'GET', '?_type=Observation', 200],
  ['pat:patient/*.rs', 'POST', '', 200, { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Observation/lab-maria' } }] }],
  // each $operation's declared requirement refuses a token without it
  ['user:user/*.cruds', 'GET', '$reindex-status?job=none', 403],
  ['user:user/Observation.rs', 'POST', 'Condition/cond-maria/$verify', 403, { resourceType: 'Parameters' }],
  ['user:user/Observation.rs', 'GET', '$review-summary', 403],
  ['user:user/Observation.rs', 'POST', 'DocumentReference/doc-maria/$extract', 403, { resourceType: 'Parameters' }],
  ['user:user/Observation.rs', 'POST', 'Patient/maria/$twin', 403, { resourceType: 'Parameters' }],
  ['user:user/Observation.rs', 'GET', 'Composition/any/$document', 403],
  ['user:user/Observation.rs', 'GET', 'Condition/cond-maria/$validate', 403],
  ['user:user/Observation.rs', 'GET', 'CodeSystem/$lookup?system=http://loinc.org&code=2345-7', 403],
  ['user:user/Observation.rs', 'GET', 'ValueSet/$validate-code?url=http://x.example/vs&code=a', 403],
  ['user:user/Observation.rs', 'GET', 'ValueSet/$expand?url=http://x.example/vs', 403],
  ['user:user/Observation.rs', 'GET', 'CodeSystem/$subsumes?system=http://loinc.org&codeA=a&codeB=b', 403],
  ['user:user/Observation.rs', 'GET', 'ConceptMap/$translate?system=http://loinc.org&code=a', 403],
  ['user:user/*.read', 'GET', 'CodeSystem/$lookup?system=http://x.example/none&code=a', 404],
];

/** Bulk Data $export kick-off: read+search on every exported type (and on Consent with _pseudonymize); patient tokens only at Patient level, for their patient. */
export type ExportCase = [token: string, path: string, status: number];
export const EXPORT_MATRIX: ExportCase[] = [
  ['sys:system/*.rs', '$export?_type=Observation', 202],
  ['sys:system/*.rs', 'Patient/$export', 202],
  ['sys:system/*.rs', '$export?_type=AuditEvent', 202],
  ['user:user/Observation.rs', '$export?_type=Observation', 202],
  ['user:user/Observation.rs', '$export?_type=Condition', 403],
  ['user:user/Observation.r', '$export?_type=Observation', 403],
  ['user:user/*.read', '$export?_type=AuditEvent', 403],
  ['user:user/*.cud', '$export', 403],
  ['pat:patient/*.rs', 'Patient/$export', 202],
  ['pat:patient/*.rs', '$export', 403],
  ['pat:patient/*.rs', 'Group/any/$export', 403],
  ['pat:patient/Observation.rs?category=laboratory', 'Patient/$export?_type=Observation', 403],
  // _pseudonymize: exclusions come from the patients' Consents, so Consent read+search is needed as well
  ['sys:system/*.rs', '$export?_type=Observation&_pseudonymize=gdpr-default', 202],
  ['user:user/Observation.rs user/Consent.rs', '$export?_type=Observation&_pseudonymize=gdpr-default', 202],
  ['user:user/Observation.rs', '$export?_type=Observation&_pseudonymize=gdpr-default', 403],
  ['user:user/Observation.rs user/Consent.r', '$export?_type=Observation&_pseudonymize=gdpr-default', 403],
  ['pat:patient/*.rs', 'Patient/$export?_pseudonymize=gdpr-default', 202],
  ['pat:patient/Observation.rs', 'Patient/$export?_type=Observation&_pseudonymize=gdpr-default', 403],
];

