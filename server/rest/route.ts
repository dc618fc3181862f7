/** Maps a FHIR method + path to the interaction it names (http.html §3.1.0 "Summary"). */
import { FhirError, badRequest } from '../core/fhir-error';
import type { FhirRequest } from './types';

export type Route =
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

const methodNotAllowed = (method: string, path: string): FhirError =>
  new FhirError(405, 'not-supported', `${method} is not supported on '/${path.slice(0, 100)}'`);

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('Malformed percent-encoding in the URL path');
  }
}

export function routeOf(req: Pick<FhirRequest, 'method' | 'path'>): Route {
  const segs = req.path.split('/').filter((s) => s !== '').map(decode);
  const m = req.method === 'HEAD' ? 'GET' : req.method;
  const op = (s: string | undefined): string | undefined => (s?.startsWith('$') ? s.slice(1) : undefined);
  const [a, b, c, d] = segs;
  switch (segs.length) {
    case 0:
      if (m === 'POST') return { kind: 'batch' };
      if (m === 'GET') return { kind: 'search' };
      break;
    case 1:
      if (a === 'metadata' && m === 'GET') return { kind: 'capabilities' };
      if (a === '_history' && m === 'GET') return { kind: 'history' };
      if (a === '_search' && m === 'POST') return { kind: 'search' };
      if (op(a)) return { kind: 'operation', name: op(a) as string };
      if (m === 'GET') return { kind: 'search', type: a };
      if (m === 'POST') return { kind: 'create', type: a };
      if (m === 'PUT') return { kind: 'conditional-update', type: a };
      if (m === 'PATCH') return { kind: 'conditional-patch', type: a };
      if (m === 'DELETE') return { kind: 'conditional-delete', type: a };
      break;
    case 2:
      if (b === '_search' && m === 'POST') return { kind: 'search', type: a };
      if (b === '_history' && m === 'GET') return { kind: 'history', type: a };
      if (op(b)) return { kind: 'operation', name: op(b) as string, type: a };
      if (m === 'GET') return { kind: 'read', type: a, id: b };
      if (m === 'PUT') return { kind: 'update', type: a, id: b };
      if (m === 'PATCH') return { kind: 'patch', type: a, id: b };
      if (m === 'DELETE') return { kind: 'delete', type: a, id: b };
      break;
    case 3:
      if (c === '_history' && m === 'GET') return { kind: 'history', type: a, id: b };
      if (op(c)) return { kind: 'operation', name: op(c) as string, type: a, id: b };
      if (m === 'GET') return { kind: 'search', type: c === '*' ? undefined : c, compartment: { resourceType: a, id: b } };
      break;
    case 4:
      if (c === '_history' && m === 'GET') return { kind: 'vread', type: a, id: b, vid: d };
      if (d === '_search' && m === 'POST') return { kind: 'search', type: c, compartment: { resourceType: a, id: b } };
      break;
  }
  if (segs.length > 4) throw new FhirError(404, 'not-found', `No FHIR endpoint at '/${req.path.slice(0, 100)}'`);
  throw methodNotAllowed(req.method, req.path);
}
