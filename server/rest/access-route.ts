/**
 * The access guard's view of a routed request: what the interaction is, on which type, instance,
 * compartment or $operation, derived from the interaction table's `{ spec, params }`.
 */
import type { InteractionSpec, RouteParams } from './interaction-spec';

export type AccessRoute =
  | { kind: 'capabilities' }
  | { kind: 'batch' }
  | { kind: 'search'; type?: string; compartment?: { resourceType: string; id: string } }
  | { kind: 'history'; type?: string; id?: string }
  | { kind: 'read'; type: string; id: string }
  | { kind: 'vread'; type: string; id: string; vid: string }
  | { kind: 'create'; type: string }
  | { kind: 'update'; type: string; id: string }
  | { kind: 'conditional-update'; type: string }
  | { kind: 'patch'; type: string; id: string }
  | { kind: 'conditional-patch'; type: string }
  | { kind: 'delete'; type: string; id: string }
  | { kind: 'conditional-delete'; type: string }
  | { kind: 'operation'; name: string; type?: string; id?: string };

/** A capture the table's pattern guarantees for this kind (a missing one is a bug in the table). */
function must(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`access route: pattern captured no :${name}`);
  return value;
}

/** Takes the table's route ({ spec, params }); typed structurally so modules below the table can use the view without a cycle. */
export function accessRouteOf({ spec, params: p }: { spec: Pick<InteractionSpec, 'kind'>; params: RouteParams }): AccessRoute {
  switch (spec.kind) {
    case 'capabilities':
    case 'batch': return { kind: spec.kind };
    case 'search-system': return { kind: 'search' };
    case 'search-type': return { kind: 'search', type: must(p.type, 'type') };
    case 'search-compartment': return {
      kind: 'search',
      ...(p.type === '*' ? {} : { type: must(p.type, 'type') }),
      compartment: { resourceType: must(p.compartment, 'compartment'), id: must(p.cid, 'cid') },
    };
    case 'history-system': return { kind: 'history' };
    case 'history-type': return { kind: 'history', type: must(p.type, 'type') };
    case 'history-instance': return { kind: 'history', type: must(p.type, 'type'), id: must(p.id, 'id') };
    case 'read': return { kind: 'read', type: must(p.type, 'type'), id: must(p.id, 'id') };
    case 'vread': return { kind: 'vread', type: must(p.type, 'type'), id: must(p.id, 'id'), vid: must(p.vid, 'vid') };
    case 'update': return { kind: 'update', type: must(p.type, 'type'), id: must(p.id, 'id') };
    case 'patch': return { kind: 'patch', type: must(p.type, 'type'), id: must(p.id, 'id') };
    case 'delete': return { kind: 'delete', type: must(p.type, 'type'), id: must(p.id, 'id') };
    case 'create': return { kind: 'create', type: must(p.type, 'type') };
    case 'conditional-update': return { kind: 'conditional-update', type: must(p.type, 'type') };
    case 'conditional-patch': return { kind: 'conditional-patch', type: must(p.type, 'type') };
    case 'conditional-delete': return { kind: 'conditional-delete', type: must(p.type, 'type') };
    case 'operation': return { kind: 'operation', name: must(p.op, 'op'), ...(p.type !== undefined ? { type: p.type } : {}), ...(p.id !== undefined ? { id: p.id } : {}) };
  }
}
