/** The run's Device (engine, model, prompt version) and its one Provenance over every resource written. */
import { createHash } from 'node:crypto';
import type { Device, DocumentReference, Provenance, Reference } from 'fhir/r4';
import { reference } from './meta';
import type { ExtractionRun } from './types';

/** Deterministic per (engine, version, model, promptVersion): the caller can `update` it idempotently. */
export function deviceId(run: ExtractionRun): string {
  const key = [run.engine, run.version, run.model ?? '', run.promptVersion ?? ''].join('\u0000');
  return `nlp-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** Describes the extractor only: no patient data, so no security label and no tag. */
export function buildDevice(run: ExtractionRun): Device & { id: string } {
  const versions: NonNullable<Device['version']> = [{ type: { text: 'engine' }, value: run.version }];
  if (run.promptVersion) versions.push({ type: { text: 'prompt' }, value: run.promptVersion });
  return {
    resourceType: 'Device',
    id: deviceId(run),
    status: 'active',
    deviceName: [
      { name: run.model ? `TwinFHIR NLP ${run.engine} (${run.model})` : `TwinFHIR NLP ${run.engine}`, type: 'user-friendly-name' },
      ...(run.model ? [{ name: run.model, type: 'model-name' as const }] : []),
    ],
    type: { text: 'NLP extractor' },
    version: versions,
  };
}

/**
 * The source note is referenced plainly (`DocumentReference/{id}`) so `Provenance?entity=` finds it;
 * the version read goes in `display`, where a reader sees it without breaking that search.
 */
function sourceEntity(document: DocumentReference & { id: string }): NonNullable<Provenance['entity']>[number] {
  const version = document.meta?.versionId;
  const what: Reference = reference('DocumentReference', document.id, version ? `DocumentReference/${document.id}/_history/${version}` : undefined);
  return { role: 'source', what };
}

/**
 * CREATE by the Device (agent type assembler) from the note. Not itself a finding: no provisional tag,
 * and no AIAST label (it records what the server did, it asserts nothing clinical). A run that wrote
 * nothing still documents that the note was read: its target is then the note itself.
 */
export function buildProvenance(id: string, targets: Reference[], document: DocumentReference & { id: string }, run: ExtractionRun): Provenance & { id: string } {
  const device = buildDevice(run);
  return {
    resourceType: 'Provenance',
    id,
    target: targets.length ? targets.map((t) => ({ ...t })) : [reference('DocumentReference', document.id)],
    recorded: run.recorded,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'CREATE', display: 'create' }] },
    agent: [{
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler', display: 'Assembler' }] },
      who: reference('Device', device.id, device.deviceName?.[0]?.name),
    }],
    entity: [sourceEntity(document)],
  };
}
