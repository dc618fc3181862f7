/**
 * The one table of FHIR REST interactions (http.html §3.1.0 "Summary"): routing (route.ts),
 * dispatch (handler.ts) and the CapabilityStatement (capabilities.ts) are all derived from it, as
 * Blaze derives them from blaze.edn. Order = the order codes appear in the CapabilityStatement;
 * routing prefers the most specific matching pattern, so order does not decide routes.
 */
import { processBundle } from './bundle/process-bundle';
import { capabilitiesInteraction } from './capabilities';
import { createInteraction } from './interactions/create';
import { conditionalDeleteInteraction, deleteInteraction } from './interactions/delete';
import { historyInteraction } from './interactions/history';
import { runOperation } from './interactions/operation';
import { conditionalPatchInteraction, patchInteraction } from './interactions/patch';
import { readInteraction, vreadInteraction } from './interactions/read';
import { searchInteraction } from './interactions/search';
import { conditionalUpdateInteraction, updateInteraction } from './interactions/update';
import type { InteractionSpec, RouteParams } from './interaction-spec';

/** A capture the pattern guarantees (a missing one is a bug in this table, not a client error). */
function must(p: RouteParams, name: keyof RouteParams): string {
  const v = p[name];
  if (v === undefined) throw new Error(`interaction table: pattern captured no :${name}`);
  return v;
}

const compartmentOf = (p: RouteParams): { resourceType: string; id: string } => ({ resourceType: must(p, 'compartment'), id: must(p, 'cid') });
/** `Patient/1/*` searches every type in the compartment. */
const compartmentType = (p: RouteParams): string | undefined => (p.type === '*' ? undefined : p.type);

export const INTERACTIONS: readonly InteractionSpec[] = [
  {
    kind: 'read', method: 'GET', path: ':type/:id', capability: { type: 'read', flags: { conditionalRead: 'full-support' } },
    handler: ({ deps, req, exec, params: p }) => readInteraction(deps, req, exec, must(p, 'type'), must(p, 'id')),
  },
  {
    kind: 'vread', method: 'GET', path: ':type/:id/_history/:vid', capability: { type: 'vread', flags: { readHistory: true } },
    handler: ({ deps, req, exec, params: p }) => vreadInteraction(deps, req, exec, must(p, 'type'), must(p, 'id'), must(p, 'vid')),
  },
  {
    kind: 'update', method: 'PUT', path: ':type/:id', capability: { type: 'update', flags: { versioning: 'versioned-update', updateCreate: true } },
    handler: ({ deps, req, exec, params: p }) => updateInteraction(deps, req, exec, must(p, 'type'), must(p, 'id')),
  },
  {
    kind: 'patch', method: 'PATCH', path: ':type/:id', capability: { type: 'patch' },
    handler: ({ deps, req, exec, params: p }) => patchInteraction(deps, req, exec, must(p, 'type'), must(p, 'id')),
  },
  {
    kind: 'delete', method: 'DELETE', path: ':type/:id', capability: { type: 'delete' },
    handler: ({ deps, req, exec, params: p }) => deleteInteraction(deps, req, exec, must(p, 'type'), must(p, 'id')),
  },
  {
    kind: 'history-instance', method: 'GET', path: ':type/:id/_history', capability: { type: 'history-instance' },
    handler: ({ deps, req, exec, params: p }) => historyInteraction(deps, req, exec, must(p, 'type'), must(p, 'id')),
  },
  {
    kind: 'history-type', method: 'GET', path: ':type/_history', capability: { type: 'history-type' },
    handler: ({ deps, req, exec, params: p }) => historyInteraction(deps, req, exec, must(p, 'type')),
  },
  {
    kind: 'create', method: 'POST', path: ':type', capability: { type: 'create', flags: { conditionalCreate: true } },
    handler: ({ deps, req, exec, params: p }) => createInteraction(deps, req, exec, must(p, 'type')),
  },
  {
    kind: 'search-type', method: 'GET', path: ':type', capability: { type: 'search-type' },
    handler: ({ deps, req, exec, params: p }) => searchInteraction(deps, req, exec, { resourceType: must(p, 'type') }),
  },
  {
    kind: 'search-type', method: 'POST', path: ':type/_search', capability: { type: 'search-type' },
    handler: ({ deps, req, exec, params: p }) => searchInteraction(deps, req, exec, { resourceType: must(p, 'type') }),
  },
  {
    kind: 'search-compartment', method: 'GET', path: ':compartment/:cid/:type',
    handler: ({ deps, req, exec, params: p }) => searchInteraction(deps, req, exec, { resourceType: compartmentType(p), compartment: compartmentOf(p) }),
  },
  {
    kind: 'search-compartment', method: 'POST', path: ':compartment/:cid/:type/_search',
    handler: ({ deps, req, exec, params: p }) => searchInteraction(deps, req, exec, { resourceType: compartmentType(p), compartment: compartmentOf(p) }),
  },
  {
    kind: 'conditional-update', method: 'PUT', path: ':type', capability: { flags: { conditionalUpdate: true } },
    handler: ({ deps, req, exec, params: p }) => conditionalUpdateInteraction(deps, req, exec, must(p, 'type')),
  },
  {
    kind: 'conditional-patch', method: 'PATCH', path: ':type',
    handler: ({ deps, req, exec, params: p }) => conditionalPatchInteraction(deps, req, exec, must(p, 'type')),
  },
  {
    kind: 'conditional-delete', method: 'DELETE', path: ':type', capability: { flags: { conditionalDelete: 'single' } },
    handler: ({ deps, req, exec, params: p }) => conditionalDeleteInteraction(deps, req, exec, must(p, 'type')),
  },
  {
    kind: 'batch', method: 'POST', path: '', capability: { system: ['transaction', 'batch'] },
    handler: ({ deps, req, handle, guard }) => processBundle(deps, req, handle, guard),
  },
  {
    kind: 'search-system', method: 'GET', path: '', capability: { system: ['search-system'] },
    handler: ({ deps, req, exec }) => searchInteraction(deps, req, exec, {}),
  },
  {
    kind: 'search-system', method: 'POST', path: '_search', capability: { system: ['search-system'] },
    handler: ({ deps, req, exec }) => searchInteraction(deps, req, exec, {}),
  },
  {
    kind: 'history-system', method: 'GET', path: '_history', capability: { system: ['history-system'] },
    handler: ({ deps, req, exec }) => historyInteraction(deps, req, exec),
  },
  {
    kind: 'capabilities', method: 'GET', path: 'metadata',
    handler: ({ deps, req }) => capabilitiesInteraction(deps, req, INTERACTIONS),
  },
  {
    kind: 'operation', method: '*', path: '$op',
    handler: ({ deps, req, exec, params: p }) => runOperation(deps, req, exec, { scope: 'system' }, must(p, 'op')),
  },
  {
    kind: 'operation', method: '*', path: ':type/$op',
    handler: ({ deps, req, exec, params: p }) => runOperation(deps, req, exec, { scope: 'type', resourceType: must(p, 'type') }, must(p, 'op')),
  },
  {
    kind: 'operation', method: '*', path: ':type/:id/$op',
    handler: ({ deps, req, exec, params: p }) => runOperation(deps, req, exec, { scope: 'instance', resourceType: must(p, 'type'), id: must(p, 'id') }, must(p, 'op')),
  },
];
