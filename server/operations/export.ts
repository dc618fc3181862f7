/**
 * `$export` kick-off at system, Patient and Group level — Bulk Data Access IG 2.0,
 * https://hl7.org/fhir/uv/bulkdata/STU2/export.html#bulk-data-kick-off-request. Asynchronous only
 * (`Prefer: respond-async`, else 400): 202 with `Content-Location` = the status URL, which
 * http/export-routes.ts serves (polling, cancel, file downloads) with bulk/export's service.
 */
import { bulkDataOperationDefinitionUrl } from '../core/canonical-urls';
import { badRequest, operationOutcome } from '../core/fhir-error';
import { bodyPairs } from '../bulk/export/params';
import type { ExportService } from '../bulk/export/service';
import type { ExportLevel } from '../bulk/export/authorize';
import type { OperationSpec, OperationTarget } from '../rest/deps';
import type { FhirRequest } from '../rest/types';

export const EXPORT_DEFINITIONS = {
  system: bulkDataOperationDefinitionUrl('export'),
  patient: bulkDataOperationDefinitionUrl('patient-export'),
  group: bulkDataOperationDefinitionUrl('group-export'),
} as const;

export const statusUrl = (baseUrl: string, jobId: string): string => `${baseUrl}/$export-poll-status?_jobId=${encodeURIComponent(jobId)}`;

function respondsAsync(req: FhirRequest): boolean {
  return (req.headers.prefer ?? '').split(/[,;]/).some((p) => p.trim().toLowerCase() === 'respond-async');
}

function requestUrl(req: FhirRequest): string {
  const q = new URLSearchParams(req.query).toString();
  return `${req.baseUrl}/${req.path}${q ? `?${q}` : ''}`;
}

function levelOf(target: OperationTarget): ExportLevel {
  if (target.scope === 'system') return 'system';
  return target.resourceType === 'Group' ? 'group' : 'patient';
}

function exportSpec(service: ExportService, scope: OperationTarget['scope'], definition: string, resourceTypes?: string[]): OperationSpec {
  return {
    name: 'export', definition, scopes: [scope], ...(resourceTypes ? { resourceTypes } : {}), methods: ['GET', 'POST'], affectsState: false,
    async handler(_deps, req, target, exec) {
      if (!respondsAsync(req)) throw badRequest('$export is asynchronous: send the header Prefer: respond-async');
      if (exec.inTransaction) throw badRequest('$export cannot run inside a Bundle');
      const pairs = [...req.query.filter(([k]) => k !== '_format' && k !== '_pretty'), ...(req.method === 'POST' ? bodyPairs(req.body) : [])];
      const id = await service.kickOff({
        ctx: req.ctx, baseUrl: req.baseUrl, level: levelOf(target), ...(target.id ? { groupId: target.id } : {}), pairs, requestUrl: requestUrl(req),
      });
      const status = statusUrl(req.baseUrl, id);
      return {
        status: 202,
        headers: { 'Content-Location': status },
        body: operationOutcome([{ severity: 'information', code: 'informational', diagnostics: `Export job ${id} accepted; poll ${status}` }]),
      };
    },
  };
}

/** The three kick-off endpoints, bound to the export service. */
export function exportOperations(service: ExportService): OperationSpec[] {
  return [
    exportSpec(service, 'system', EXPORT_DEFINITIONS.system),
    exportSpec(service, 'type', EXPORT_DEFINITIONS.patient, ['Patient']),
    exportSpec(service, 'instance', EXPORT_DEFINITIONS.group, ['Group']),
  ];
}
