/** POST /fhir/Patient/{id}/$twin — rebuilds the patient's Digital Twin now and returns it (DESIGN.md §4). */
import { operationDefinitionUrl } from '../core/canonical-urls';
import type { Composition } from 'fhir/r4';
import { gone, notFound } from '../core/fhir-error';
import { ParamList } from '../core/parameter-list';
import type { OperationSpec } from '../rest/deps';
import { versionHeaders } from '../rest/headers';
import { checkId } from '../rest/resource-body';
import { rebuildTwin } from '../twin/build-twin';

export const twinOperation: OperationSpec = {
  name: 'twin',
  definition: operationDefinitionUrl('Patient-twin'),
  scopes: ['instance'],
  resourceTypes: ['Patient'],
  methods: ['POST'],
  affectsState: true,
  async handler(deps, req, target, exec) {
    const id = checkId(target.id ?? '');
    ParamList.optional(req.body, '$twin', []); // takes no parameters: a body must be an empty Parameters
    const patient = await exec.reader.read(req.ctx, 'Patient', id);
    if (!patient) throw notFound(`Patient/${id} is not known`);
    if (patient.deleted) throw gone(`Patient/${id} was deleted`);
    const result = await exec.write((tx) => rebuildTwin(tx, req.ctx, id, { now: deps.clock.now(), validate: (c: Composition) => deps.validator.validate(c) }));
    // The patient was deleted between the read and the rebuild's lock.
    if (!result.stored?.resource) throw gone(`Patient/${id} was deleted`);
    return { status: 200, headers: { ...versionHeaders(result.stored), 'Content-Location': `${req.baseUrl}/Composition/${result.twinId}/_history/${result.stored.versionId}` }, body: result.stored.resource };
  },
};
