/** The TwinFHIR Postman collection, assembled from its folders (written to twinfhir.postman_collection.json). */
import { crudFolder, serverFolder, validationFolder } from './folders-core';
import { bundlesFolder, searchFolder } from './folders-search';
import { bulkFolder } from './folders-bulk';
import { storyFolder } from './folders-story';
import type { PmFolder } from './postman-dsl';

export interface PmCollection {
  info: { name: string; description: string; schema: string };
  variable: { key: string; value: string }[];
  item: PmFolder[];
}

const DESCRIPTION = [
  'Every FHIR interaction TwinFHIR offers, and its whole story, as requests with `pm.test` assertions.',
  '',
  'Use: import this collection and `twinfhir.postman_environment.json`, set `baseUrl` (default http://localhost:8080/fhir),',
  'and run the folders in order (Collection Runner or `npx newman run test/postman/twinfhir.postman_collection.json -e test/postman/twinfhir.postman_environment.json`).',
  'Requests chain through collection variables (runId, patientId, docId, conditionId, twinId …); runId keeps repeated runs on one server apart.',
  'Folder 5 needs a server whose NLP worker runs, folder 6 (Bulk Data export) its export worker (both on with the default `npm start`). With auth on, add an Authorization header (Bearer token) at collection level.',
].join('\n');

export function buildCollection(): PmCollection {
  return {
    info: { name: 'TwinFHIR', description: DESCRIPTION, schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
    variable: [{ key: 'runId', value: '' }, { key: 'pollTries', value: '0' }, { key: 'retryAfterMs', value: '0' }],
    item: [serverFolder, crudFolder, bundlesFolder, searchFolder, validationFolder, storyFolder, bulkFolder],
  };
}

export const environment = {
  name: 'TwinFHIR local',
  values: [{ key: 'baseUrl', value: 'http://localhost:8080/fhir', enabled: true }],
};
