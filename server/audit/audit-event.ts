/**
 * Builds one AuditEvent per FHIR request following the IHE Basic Audit Log Patterns (BALP, RESTful
 * activity): type `rest` with the restful-interaction subtype (DICOM 110112 Query for searches), the
 * client and user agents, this server as source, and entities for the resource, the query (base64)
 * and the patient in context. Only method, path, query, status and the access context go in: never a
 * request or response body.
 */
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from 'fhir/r4';
import type { AccessContext } from '../core/access-context';
import type { AuditedInteraction } from './audit-interaction';

export interface AuditInput {
  interaction: AuditedInteraction;
  /** 'batch' or 'transaction' when the body was a Bundle of that type. */
  bundleType?: string;
  status: number;
  /** Raw query string without '?', as sent (PHI allowed in the audit record, per BALP). */
  queryString: string;
  ctx?: AccessContext;
  /** Caller's network address (express req.ip). */
  address?: string;
  /** The Location/Content-Location of a write's response: the id and version it produced. */
  location?: string;
  recorded: Date;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
export const AUDIT_OPERATION_CS = 'https://twinfhir.org/fhir/CodeSystem/audit-operation';
const REST_TYPE: Coding = { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'Restful Operation' };
const QUERY_TYPE: Coding = { system: DCM, code: '110112', display: 'Query' };

export function outcomeOf(status: number): '0' | '4' | '8' {
  return status >= 500 ? '8' : status >= 400 ? '4' : '0';
}

function subtypes(x: AuditInput): Coding[] {
  const { interaction: i } = x;
  const code = i.interaction === 'transaction' && x.bundleType === 'batch' ? 'batch' : i.interaction;
  const out: Coding[] = code ? [{ system: 'http://hl7.org/fhir/restful-interaction', code }] : [];
  if (i.operation) out.push({ system: AUDIT_OPERATION_CS, code: i.operation.slice(0, 64), display: `$${i.operation.slice(0, 64)}` });
  return out;
}

function agents(x: AuditInput): AuditEventAgent[] {
  const ctx = x.ctx;
  const client: AuditEventAgent = {
    type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
    who: { identifier: { value: (ctx?.clientId ?? 'unauthenticated').slice(0, 200) } },
    requestor: !ctx?.user,
    ...(x.address ? { network: { address: x.address.slice(0, 100), type: '2' as const } } : {}),
  };
  const out = [client];
  if (ctx?.user) {
    out.push({
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }] },
      who: { reference: ctx.user.slice(0, 200) }, requestor: true,
    });
  }
  return out;
}

/** Location `.../Type/id/_history/v` → the reference with its version. */
function fromLocation(location: string | undefined): { type: string; id: string; version?: string } | undefined {
  const m = location ? /([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/.exec(location) : null;
  return m ? { type: m[1], id: m[2], version: m[3] } : undefined;
}

function entities(x: AuditInput): AuditEventEntity[] {
  const out: AuditEventEntity[] = [];
  const t = fromLocation(x.location) ?? x.interaction.target;
  if (t?.id) {
    const ref = `${t.type}/${t.id}${t.version ? `/_history/${t.version}` : ''}`;
    out.push({ what: { reference: ref }, type: { system: ENTITY_TYPE, code: '2', display: 'System Object' }, role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' } });
  }
  if (x.interaction.query) {
    out.push({
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' }, role: { system: OBJECT_ROLE, code: '24', display: 'Query' },
      ...(t ? { description: t.type } : {}),
      query: Buffer.from(x.queryString, 'utf8').toString('base64'),
    });
  }
  const patient = x.ctx?.patient?.replace(/^Patient\//, '') ?? x.interaction.patient;
  if (patient) out.push({ what: { reference: `Patient/${patient}` }, type: { system: ENTITY_TYPE, code: '1', display: 'Person' }, role: { system: OBJECT_ROLE, code: '1', display: 'Patient' } });
  if (x.ctx?.requestId) out.push({ what: { identifier: { value: x.ctx.requestId } }, type: { system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType', code: 'XrequestId' } });
  return out;
}

export function buildAuditEvent(x: AuditInput): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: x.interaction.query ? QUERY_TYPE : REST_TYPE,
    subtype: subtypes(x),
    action: x.interaction.action,
    recorded: x.recorded.toISOString(),
    outcome: outcomeOf(x.status),
    outcomeDesc: `HTTP ${x.status}`,
    agent: agents(x),
    source: { site: 'TwinFHIR', observer: { display: 'TwinFHIR FHIR server' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] },
    entity: entities(x),
  };
}
