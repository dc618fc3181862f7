/**
 * Packaging checks for docker/k8s (DESIGN.md §6). A cluster is not available in CI, so every manifest
 * is parsed and the properties that matter are asserted statically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { k8sDir, type Obj, readYamlDocs, k8sFiles, k8sDocs, find, one, serverDeployment, workerDeployment, deployments, containers, envVar, labelsMatch } from './docker-files';

describe('docker/k8s manifests', () => {
  it('has the expected files', () => {
    for (const f of [
      'namespace.yaml',
      'configmap.yaml',
      'secret.example.yaml',
      'deployment.yaml',
      'worker-deployment.yaml',
      'service.yaml',
      'hpa.yaml',
      'pdb.yaml',
      'kustomization.yaml',
    ]) {
      expect(k8sFiles).toContain(f);
    }
  });

  it('every document has apiVersion, kind and metadata.name', () => {
    expect(k8sDocs.length).toBeGreaterThanOrEqual(8);
    for (const { file, doc } of k8sDocs) {
      expect({ file, apiVersion: typeof doc.apiVersion }).toEqual({ file, apiVersion: 'string' });
      expect({ file, kind: typeof doc.kind }).toEqual({ file, kind: 'string' });
      expect({ file, name: typeof doc.metadata?.name }).toEqual({ file, name: 'string' });
    }
  });

  it('kustomization lists every manifest that exists, and never the example secret', () => {
    const [kust] = readYamlDocs(path.join(k8sDir, 'kustomization.yaml'));
    expect(kust.kind).toBe('Kustomization');
    const resources = kust.resources as string[];
    for (const r of resources) {
      expect({ r, exists: fs.existsSync(path.join(k8sDir, r)) }).toEqual({ r, exists: true });
    }
    const expected = k8sFiles.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml');
    expect([...resources].sort()).toEqual(expected);
    expect(resources).not.toContain('secret.example.yaml');
  });

  it('server and worker Deployments probe /healthz and /readyz', () => {
    for (const dep of deployments()) {
      for (const c of containers(dep)) {
        expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
        expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
        expect(c.startupProbe?.httpGet).toBeDefined();
      }
    }
  });

  it('Deployments set resource requests and limits', () => {
    for (const dep of deployments()) {
      for (const c of containers(dep)) {
        for (const kind of ['requests', 'limits']) {
          expect(c.resources?.[kind]?.cpu).toBeDefined();
          expect(c.resources?.[kind]?.memory).toBeDefined();
        }
      }
    }
  });

  it('Deployments run non-root with a read-only root filesystem and a writable /tmp', () => {
    for (const dep of deployments()) {
      const pod = dep.spec.template.spec;
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      const tmpVolumes = (pod.volumes as Obj[]).filter((v) => v.emptyDir !== undefined).map((v) => v.name);
      for (const c of containers(dep)) {
        expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
        const tmp = (c.volumeMounts as Obj[]).find((m) => m.mountPath === '/tmp');
        expect(tmp).toBeDefined();
        expect(tmpVolumes).toContain(tmp?.name);
      }
    }
  });

  it('Deployments take DATABASE_URL from the twinfhir-db Secret and settings from the ConfigMap', () => {
    const configMap = one('ConfigMap');
    const secret = one('Secret', 'twinfhir-db');
    for (const dep of deployments()) {
      for (const c of containers(dep)) {
        const db = envVar(c, 'DATABASE_URL');
        expect(db?.value).toBeUndefined();
        expect(db?.valueFrom?.secretKeyRef).toEqual({ name: secret.metadata.name, key: 'DATABASE_URL' });
        const refs = (c.envFrom as Obj[]).map((e) => e.configMapRef?.name);
        expect(refs).toContain(configMap.metadata.name);
      }
    }
  });

  it('the server Deployment has 2 replicas, ROLE=server and drains before stopping', () => {
    const dep = serverDeployment();
    expect(dep.spec.replicas).toBe(2);
    const pod = dep.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    const [c] = containers(dep);
    expect(envVar(c, 'ROLE')?.value).toBe('server');
    const preStop = c.lifecycle?.preStop as Obj;
    const sleepSeconds = preStop?.sleep?.seconds ?? Number((preStop?.exec?.command as string[])?.[1]);
    expect(sleepSeconds).toBeGreaterThan(0);
    // the preStop sleep plus the app's own graceful shutdown must fit in the grace period
    const shutdownGraceMs = Number(one('ConfigMap').data.SHUTDOWN_GRACE_MS);
    expect(sleepSeconds + shutdownGraceMs / 1000).toBeLessThan(pod.terminationGracePeriodSeconds);
  });

  it('the worker Deployment is the same image with ROLE=worker', () => {
    const worker = workerDeployment();
    const [wc] = containers(worker);
    const [sc] = containers(serverDeployment());
    expect(envVar(wc, 'ROLE')?.value).toBe('worker');
    expect(wc.image).toBe(sc.image);
  });

  it('the ConfigMap holds the documented settings and no secrets', () => {
    const data = one('ConfigMap').data as Record<string, string>;
    for (const key of ['PORT', 'LOG_LEVEL', 'NLP_ENGINE', 'NLP_WORKERS', 'MAX_BODY']) {
      expect(Object.keys(data)).toContain(key);
    }
    for (const v of Object.values(data)) expect(typeof v).toBe('string');
    for (const key of ['DATABASE_URL', 'LLM_API_KEY', 'PASSWORD']) {
      expect(Object.keys(data)).not.toContain(key);
    }
  });

  it('the example Secret is a template with a placeholder DATABASE_URL', () => {
    const secret = one('Secret', 'twinfhir-db');
    expect(find('Secret').every((s) => s.file === 'secret.example.yaml')).toBe(true);
    const url = new URL(secret.stringData.DATABASE_URL as string);
    expect(url.protocol).toMatch(/^postgres(ql)?:$/);
    expect(`${url.username}:${url.password}@${url.hostname}`).toBe('USER:PASSWORD@HOST');
  });

  it('no database URL is written anywhere in k8s except the example secret', () => {
    for (const file of k8sFiles.filter((f) => f !== 'secret.example.yaml')) {
      const text = fs.readFileSync(path.join(k8sDir, file), 'utf8');
      expect({ file, hasDbUrl: /postgres(ql)?:\/\//i.test(text) }).toEqual({ file, hasDbUrl: false });
    }
  });

  it('the HPA scales the server Deployment by its real name on CPU 70 %', () => {
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    const dep = serverDeployment();
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: dep.apiVersion, kind: 'Deployment', name: dep.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const cpu = (hpa.spec.metrics as Obj[]).find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    expect(cpu?.resource.target).toEqual({ type: 'Utilization', averageUtilization: 70 });
  });

  it('the Service selects the server pods (not the workers) on the container port', () => {
    const svc = one('Service');
    const server = serverDeployment();
    const selector = svc.spec.selector as Record<string, string>;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    expect(labelsMatch(selector, server.spec.template.metadata.labels)).toBe(true);
    expect(labelsMatch(selector, workerDeployment().spec.template.metadata.labels)).toBe(false);
    const portNames = containers(server).flatMap((c) => (c.ports as Obj[]).map((p) => p.name));
    const containerPorts = containers(server).flatMap((c) => (c.ports as Obj[]).map((p) => p.containerPort));
    for (const p of svc.spec.ports as Obj[]) {
      expect(portNames.includes(p.targetPort) || containerPorts.includes(p.targetPort)).toBe(true);
    }
  });

  it('each Deployment selector matches its own pod template', () => {
    for (const dep of deployments()) {
      expect(labelsMatch(dep.spec.selector.matchLabels, dep.spec.template.metadata.labels)).toBe(true);
    }
  });

  it('the PodDisruptionBudget covers the server pods', () => {
    const pdb = one('PodDisruptionBudget');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(labelsMatch(pdb.spec.selector.matchLabels, serverDeployment().spec.template.metadata.labels)).toBe(true);
  });
});
