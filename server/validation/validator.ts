/** The R4 resource validator: ajv against the official JSON schema, the model-guided walk, and our profiles. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Issue } from '../core/fhir-error';
import { issue } from './issue';
import { ProfileChecker } from './profile-checker';
import { loadProfiles } from './profile-loader';
import { R4Model } from '../core/r4/element-model';
import { definitionsDir } from '../core/r4/structure-definitions';
import { R4Schema, defaultSchemaPath } from './r4-schema';
import { type ValidatorParts, ValidationRun } from './validation-run';

/** More issues than this are summarised: a client needs the first problems, not 10,000 of them. */
const MAX_ISSUES = 200;

export class FhirValidator {
  private readonly parts: ValidatorParts;
  private readonly types: string[];

  constructor(profilesDir: string, model: R4Model = new R4Model()) {
    this.parts = {
      model,
      schema: new R4Schema(model, defaultSchemaPath(definitionsDir())),
      required: model.structure().required,
      profiles: new ProfileChecker(model, loadProfiles(profilesDir)),
      resourceTypes: new Set(model.resourceTypes),
    };
    this.types = [...model.resourceTypes];
  }

  validate(resource: unknown, profiles: string[] = []): Issue[] {
    const run = new ValidationRun(this.parts);
    run.top(resource, profiles);
    const issues = run.issues;
    if (issues.length <= MAX_ISSUES) return issues;
    const more = issues.length - MAX_ISSUES;
    return [...issues.slice(0, MAX_ISSUES), issue('too-costly', `${more} more issues not shown`, undefined, 'information')];
  }

  resourceTypes(): string[] {
    return [...this.types];
  }

  profileUrls(): string[] {
    return this.parts.profiles.urls();
  }
}

/** `<repo>/profiles`: the nearest ancestor of this file holding a package.json (works from server/ and dist/server/). */
export function defaultProfilesDir(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'profiles');
    if (path.dirname(dir) === dir) return path.resolve(from, '../../profiles');
  }
}
