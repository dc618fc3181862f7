/** The one deterministic Composition id of a patient's twin: the (res_type, id) key then allows exactly one current twin. */
import { createHash } from 'node:crypto';

const PREFIX = 'twin-';
/** FHIR ids: 1-64 of A-Z a-z 0-9 - . */
const MAX_ID = 64;

export function twinIdFor(patientId: string): string {
  const plain = `${PREFIX}${patientId}`;
  if (plain.length <= MAX_ID && /^[A-Za-z0-9\-.]+$/.test(patientId)) return plain;
  // Too long (or not id-safe): a hash keeps the id deterministic (40 hex chars: collisions negligible). The '.'
  // after 'twin' can never follow it in the plain form, so a hashed id never equals another patient's plain one.
  return `twin.${createHash('sha256').update(patientId).digest('hex').slice(0, 40)}`;
}
