/**
 * Who may export what (issue 14, SMART Backend Services): every exported type needs a read and search
 * grant (`system/*.rs`, `system/Observation.read`, `user/…`), asked per type because `_type` decides
 * the types, not the route. A patient-context token may only run a Patient-level export of its own
 * patient's compartment. Query-restricted scopes cannot export (an export is not a restricted search).
 * The audit trail leaves only with `_type=AuditEvent` and an auditor's scope. A `_pseudonymize` export also
 * needs read and search on Consent (its exclusions are decided by the patients' Consents), `includeAssociatedData`
 * on Provenance (what it adds).
 */
import { type AccessRequest, decide } from '../../auth/access-policy';
import { insufficientScope } from '../../auth/bearer';
import { parseScopes } from '../../auth/scopes';
import type { AccessContext } from '../../core/access-context';
import { mayReadAudit } from '../../core/audit-access';
import { FhirError, badRequest, forbidden } from '../../core/fhir-error';
import type { SearchRegistry } from '../../search/registry';
import type { ExportParams } from './params';

export type ExportLevel = 'system' | 'patient' | 'group';

const AUDIT = 'AuditEvent';

export interface ExportGrant {
  /** The types to export, in a stable order. */
  types: string[];
  /** Set for a patient-context token: the export is confined to this patient. */
  patient?: string;
}

/** The types an export without `_type` covers: all (system) or the Patient compartment's, never the audit trail. */
function defaultTypes(registry: SearchRegistry, level: ExportLevel): string[] {
  const all = level === 'system' ? registry.resourceTypes() : registry.compartmentTypes('Patient');
  return all.filter((t) => t !== AUDIT).sort();
}

function checkCompartment(registry: SearchRegistry, level: ExportLevel, types: string[]): void {
  if (level === 'system') return;
  const inside = new Set(registry.compartmentTypes('Patient'));
  const outside = types.filter((t) => !inside.has(t));
  if (outside.length) throw badRequest(`_type ${outside.join(', ')} ${outside.length > 1 ? 'are' : 'is'} outside the Patient compartment; a ${level === 'patient' ? 'Patient' : 'Group'}-level export covers only it`, ['_type']);
}

export function authorizeExport(ctx: AccessContext, realm: string, registry: SearchRegistry, level: ExportLevel, params: ExportParams): ExportGrant {
  const explicit = params.types !== undefined;
  const wanted = params.types ? [...params.types] : defaultTypes(registry, level);
  checkCompartment(registry, level, wanted);
  if (ctx.authDisabled) return { types: wanted };
  if (wanted.includes(AUDIT) && !mayReadAudit(ctx)) throw forbidden('Exporting AuditEvent needs an auditor\'s scope (system/AuditEvent.rs or user/AuditEvent.rs)');
  const subject = { scopes: parseScopes(ctx.scopes), patient: ctx.patient, patientCompartment: new Set(registry.compartmentTypes('Patient')) };
  const types: string[] = [];
  let patient: string | undefined;
  for (const type of wanted) {
    const asks: AccessRequest[] = [{ permission: 'r', type }, { permission: 's', type }];
    const decisions = asks.map((a) => decide(subject, a));
    const refused = decisions.find((d) => !d.allowed);
    if (refused && !refused.allowed) {
      if (explicit) throw insufficientScope(realm, refused.reason);
      continue;
    }
    for (const d of decisions) {
      if (!d.allowed) continue;
      if (d.restrictions) throw insufficientScope(realm, `the scope for ${type} is query-restricted; a bulk export needs unrestricted read access`);
      patient ??= d.compartmentPatient;
    }
    types.push(type);
  }
  if (!types.length) throw insufficientScope(realm, 'no granted scope allows reading any of the requested types');
  if (params.pseudonymize !== undefined) mayReadConsents(subject, realm);
  if (params.associated !== undefined) mayReadProvenance(subject, realm);
  if (patient !== undefined) confinedLevel(level, params, patient);
  return { types, ...(patient !== undefined ? { patient } : {}) };
}

/** A research export decides by the patients' Consents, so its caller must be allowed to read and search them. */
function mayReadConsents(subject: Parameters<typeof decide>[0], realm: string): void {
  for (const permission of ['r', 's'] as const) {
    const d = decide(subject, { permission, type: 'Consent' });
    if (!d.allowed) throw insufficientScope(realm, `_pseudonymize excludes patients by their Consents: ${d.reason}`);
    if (d.restrictions) throw insufficientScope(realm, '_pseudonymize needs unrestricted read access to Consent (the scope for Consent is query-restricted)');
  }
}

/** `includeAssociatedData` exports Provenance, so its caller must be allowed to read and search it. */
function mayReadProvenance(subject: Parameters<typeof decide>[0], realm: string): void {
  for (const permission of ['r', 's'] as const) {
    const d = decide(subject, { permission, type: 'Provenance' });
    if (!d.allowed) throw insufficientScope(realm, `includeAssociatedData exports Provenance: ${d.reason}`);
    if (d.restrictions) throw insufficientScope(realm, 'includeAssociatedData needs unrestricted read access to Provenance (the scope for Provenance is query-restricted)');
  }
}

/** A patient-context token: Patient level, its own patient only. */
function confinedLevel(level: ExportLevel, params: ExportParams, patient: string): void {
  if (level !== 'patient') throw new FhirError(403, 'forbidden', `A patient-context token may only run a Patient-level export of its own patient, not a ${level}-level export`);
  if (params.patients?.some((p) => p !== patient)) throw new FhirError(403, 'forbidden', 'A patient-context token may export only its own patient');
}
