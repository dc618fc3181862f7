/** Reading docker/ for the packaging checks: YAML documents (with merge keys), compose-style interpolation, the k8s manifests by kind. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const dockerDir = path.join(repoRoot, 'docker');
export const k8sDir = path.join(dockerDir, 'k8s');

export type Obj = Record<string, any>;
export interface K8sDoc {
  file: string;
  doc: Obj;
}

export function readYamlDocs(file: string): Obj[] {
  const text = fs.readFileSync(file, 'utf8');
  // merge: compose files use YAML merge keys (<<: *anchor)
  return parseAllDocuments(text, { merge: true })
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as Obj;
    })
    .filter((d) => d !== null && d !== undefined);
}

/** Compose-style interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}. */
export function interpolate(s: string, env: Record<string, string> = {}): string {
  return s.replace(/\$\{([A-Z0-9_]+)(?:(:?-)([^}]*))?\}/g, (_m, name: string, op: string | undefined, dflt: string | undefined) => {
    const v = env[name];
    if (op === ':-') return v ? v : (dflt ?? '');
    if (op === '-') return v !== undefined ? v : (dflt ?? '');
    return v ?? '';
  });
}

export const k8sFiles = fs.readdirSync(k8sDir).filter((f) => /\.ya?ml$/.test(f)).sort();
export const k8sDocs: K8sDoc[] = k8sFiles
  .filter((f) => f !== 'kustomization.yaml')
  .flatMap((file) => readYamlDocs(path.join(k8sDir, file)).map((doc) => ({ file, doc })));

export function find(kind: string, name?: string): K8sDoc[] {
  return k8sDocs.filter((d) => d.doc.kind === kind && (name === undefined || d.doc.metadata?.name === name));
}

export function one(kind: string, name?: string): Obj {
  const found = find(kind, name);
  expect(found).toHaveLength(1);
  return found[0].doc;
}

export const serverDeployment = (): Obj => one('Deployment', 'twinfhir');
export const workerDeployment = (): Obj => one('Deployment', 'twinfhir-worker');
export const deployments = (): Obj[] => find('Deployment').map((d) => d.doc);

export function containers(dep: Obj): Obj[] {
  return dep.spec.template.spec.containers as Obj[];
}

export function envVar(container: Obj, name: string): Obj | undefined {
  return (container.env as Obj[] | undefined)?.find((e) => e.name === name);
}

export function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
