/** The audit trail of a finding: its extraction Provenance and every review decision, who and when (GET Provenance?target=). */
import type { FhirResource, Provenance, ProvenanceAgent } from 'fhir/r4';
import type { FhirClient } from './api';
import { h } from './dom';
import { formatDateTime, humanName } from './fhir-model';

export interface AuditEntry {
  id: string;
  recorded: string;
  title: string;
  who: string;
  role: string;
  version?: string;
  note?: string;
}

const VERIFIER = 'verifier';

function agentName(a: ProvenanceAgent, byRef: Map<string, FhirResource>): string {
  const ref = a.who?.reference;
  const r = ref ? byRef.get(ref) : undefined;
  if (r?.resourceType === 'Practitioner') return humanName(r.name);
  if (r?.resourceType === 'Device') {
    const name = r.deviceName?.[0]?.name ?? r.modelNumber ?? 'NLP engine';
    const version = r.version?.[0]?.value;
    return version ? `${name} ${version}` : name;
  }
  return a.who?.display ?? ref ?? 'unknown';
}

const isVerifier = (a: ProvenanceAgent): boolean => Boolean(a.type?.coding?.some((c) => c.code === VERIFIER));

const DECISION_TITLES: Record<string, string> = { confirm: 'Confirmed', refute: 'Refuted', amend: 'Amended' };

export function toAuditEntry(p: Provenance, target: string, byRef: Map<string, FhirResource>): AuditEntry {
  const agent = p.agent.find(isVerifier) ?? p.agent[0];
  const decision = p.activity?.text ?? p.activity?.coding?.[0]?.code;
  const title = isVerifier(agent) ? (DECISION_TITLES[decision ?? ''] ?? `Reviewed (${decision ?? 'update'})`) : 'Extracted from the note';
  const targetRef = p.target.find((t) => t.reference === target || t.reference?.startsWith(`${target}/_history/`))?.reference;
  return {
    id: p.id ?? '',
    recorded: p.recorded,
    title,
    who: agentName(agent, byRef),
    role: isVerifier(agent) ? 'Reviewer' : 'Extractor',
    version: targetRef?.split('/_history/')[1],
    note: p.reason?.map((r) => r.text ?? r.coding?.[0]?.display).filter(Boolean).join('; ') || undefined,
  };
}

export async function loadAudit(client: FhirClient, ref: string): Promise<AuditEntry[]> {
  const found = await client.searchAll(`Provenance?target=${encodeURIComponent(ref)}&_include=Provenance:agent&_count=100`, 5);
  const byRef = new Map(found.map((r) => [`${r.resourceType}/${r.id ?? ''}`, r]));
  const provs = found.filter((r): r is Provenance => r.resourceType === 'Provenance');
  return provs.map((p) => toAuditEntry(p, ref, byRef)).sort((a, b) => Date.parse(a.recorded) - Date.parse(b.recorded));
}

export function renderAudit(entries: AuditEntry[]): HTMLElement {
  if (!entries.length) return h('p', { class: 'muted small' }, 'No provenance recorded for this finding.');
  return h('ol', { class: 'audit' }, entries.map((e) => h('li', { class: `audit-item ${e.role === 'Reviewer' ? 'audit-decision' : 'audit-extraction'}` },
    h('p', { class: 'audit-title' }, h('strong', {}, e.title), e.version ? h('span', { class: 'muted' }, ` · version ${e.version}`) : null),
    h('p', { class: 'audit-meta' }, h('span', {}, `${e.role}: ${e.who}`), h('span', { class: 'dot', 'aria-hidden': 'true' }, '·'), h('time', { datetime: e.recorded }, formatDateTime(e.recorded))),
    e.note ? h('p', { class: 'audit-note' }, `“${e.note}”`) : null)));
}
