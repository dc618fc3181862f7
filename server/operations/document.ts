/** $document on a Composition: the document Bundle — https://hl7.org/fhir/R4/composition-operation-document.html */
import { hl7OperationDefinitionUrl } from '../core/canonical-urls';
import type { Composition } from 'fhir/r4';
import { gone, notFound, notSupported } from '../core/fhir-error';
import { ParamList } from '../core/parameter-list';
import type { OperationSpec } from '../rest/deps';
import { checkId } from '../rest/resource-body';
import { documentBundle } from '../twin/document-bundle';

export const documentOperation: OperationSpec = {
  name: 'document',
  definition: hl7OperationDefinitionUrl('Composition-document'),
  scopes: ['instance'],
  resourceTypes: ['Composition'],
  methods: ['GET', 'POST'],
  affectsState: false,
  async handler(deps, req, target, exec) {
    const id = checkId(target.id ?? '');
    const param = (name: string): string | undefined => req.query.find(([k]) => k === name)?.[1];
    const posted = ParamList.optional(req.body, '$document', ['id', 'persist', 'graph']);
    // Documents are generated on request and not stored; a graph selects nothing we support.
    if (param('persist') === 'true' || posted.boolean('persist')) throw notSupported('$document does not persist documents (persist=true)');
    if (param('graph') !== undefined || posted.uri('graph') !== undefined) throw notSupported('$document does not support the graph parameter');
    const stored = await exec.reader.read(req.ctx, 'Composition', id);
    if (!stored) throw notFound(`Composition/${id} is not known`);
    if (stored.deleted || !stored.resource) throw gone(`Composition/${id} was deleted`);
    const composition = stored.resource as Composition & { id: string };
    const bundle = await documentBundle(exec.reader, deps.registry, req.ctx, composition, {
      baseUrl: req.baseUrl, now: deps.clock.now(), newId: () => deps.ids.newId(),
    });
    return { status: 200, headers: {}, body: bundle };
  },
};
