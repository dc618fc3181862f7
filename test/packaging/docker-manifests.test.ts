/**
 * Packaging checks for docker/ (DESIGN.md §5, §6). Docker and a cluster are not available in CI,
 * so every manifest is parsed and the properties that matter are asserted statically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

const repoRoot = path.resolve(__dirname, '..', '..');
const dockerDir = path.join(repoRoot, 'docker');
const k8sDir = path.join(dockerDir, 'k8s');

type Obj = Record<string, any>;
interface K8sDoc {
  file: string;
  doc: Obj;
}

function readYamlDocs(file: string): Obj[] {
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
function interpolate(s: string, env: Record<string, string> = {}): string {
  return s.replace(/\$\{([A-Z0-9_]+)(?:(:?-)([^}]*))?\}/g, (_m, name: string, op: string | undefined, dflt: string | undefined) => {
    const v = env[name];
    if (op === ':-') return v ? v : (dflt ?? '');
    if (op === '-') return v !== undefined ? v : (dflt ?? '');
    return v ?? '';
  });
}

const k8sFiles = fs.readdirSync(k8sDir).filter((f) => /\.ya?ml$/.test(f)).sort();
const k8sDocs: K8sDoc[] = k8sFiles
  .filter((f) => f !== 'kustomization.yaml')
  .flatMap((file) => readYamlDocs(path.join(k8sDir, file)).map((doc) => ({ file, doc })));

function find(kind: string, name?: string): K8sDoc[] {
  return k8sDocs.filter((d) => d.doc.kind === kind && (name === undefined || d.doc.metadata?.name === name));
}

function one(kind: string, name?: string): Obj {
  const found = find(kind, name);
  expect(found).toHaveLength(1);
  return found[0].doc;
}

const serverDeployment = (): Obj => one('Deployment', 'twinfhir');
const workerDeployment = (): Obj => one('Deployment', 'twinfhir-worker');
const deployments = (): Obj[] => find('Deployment').map((d) => d.doc);

function containers(dep: Obj): Obj[] {
  return dep.spec.template.spec.containers as Obj[];
}

function envVar(container: Obj, name: string): Obj | undefined {
  return (container.env as Obj[] | undefined)?.find((e) => e.name === name);
}

function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

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

describe('docker/compose.yaml', () => {
  const [compose] = readYamlDocs(path.join(dockerDir, 'compose.yaml'));
  const services = compose.services as Record<string, Obj>;

  it('has postgres, twinfhir and worker services with healthchecks', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'twinfhir', 'worker']));
    for (const name of ['postgres', 'twinfhir', 'worker']) {
      expect(services[name].healthcheck?.test).toBeDefined();
    }
    expect(JSON.stringify(services.postgres.healthcheck.test)).toContain('pg_isready');
    expect(services.postgres.image).toMatch(/^postgres:16/);
  });

  it('keeps PostgreSQL data in a named volume', () => {
    const mounts = (services.postgres.volumes as string[]).map((v) => v.split(':'));
    const named = mounts.find(([, target]) => target === '/var/lib/postgresql/data');
    expect(named).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(named?.[0]);
  });

  it('reads the database password from an env var with a dev placeholder default', () => {
    const pw = services.postgres.environment.POSTGRES_PASSWORD as string;
    expect(pw).toMatch(/^\$\{POSTGRES_PASSWORD:-[^}]+\}$/);
  });

  it("points the app's DATABASE_URL at the postgres service with the same credentials", () => {
    const pg = services.postgres.environment as Record<string, string>;
    for (const name of ['twinfhir', 'worker']) {
      const env = services[name].environment as Record<string, string>;
      const url = new URL(interpolate(env.DATABASE_URL));
      expect(url.hostname).toBe('postgres');
      expect(decodeURIComponent(url.username)).toBe(pg.POSTGRES_USER);
      expect(decodeURIComponent(url.password)).toBe(interpolate(pg.POSTGRES_PASSWORD));
      expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
      // and a real password given at run time flows into both
      const secretEnv = { POSTGRES_PASSWORD: 's3cret' };
      expect(new URL(interpolate(env.DATABASE_URL, secretEnv)).password).toBe(interpolate(pg.POSTGRES_PASSWORD, secretEnv));
    }
  });

  it('starts the app once postgres is healthy, and the worker with ROLE=worker', () => {
    for (const name of ['twinfhir', 'worker']) {
      expect(services[name].depends_on?.postgres?.condition).toBe('service_healthy');
    }
    expect(services.twinfhir.environment.ROLE).toBe('server');
    expect(services.worker.environment.ROLE).toBe('worker');
    expect(services.twinfhir.ports.map(String)).toEqual(expect.arrayContaining([expect.stringMatching(/:8080$/)]));
  });

  it('builds from the repository root with docker/Dockerfile', () => {
    for (const name of ['twinfhir', 'worker']) {
      const build = services[name].build as Obj;
      const context = path.resolve(dockerDir, build.context as string);
      expect(context).toBe(repoRoot);
      expect(fs.existsSync(path.join(context, build.dockerfile as string))).toBe(true);
    }
    expect(services.worker.image).toBe(services.twinfhir.image);
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(dockerDir, 'Dockerfile'), 'utf8');
  // join continuation lines, drop comments
  const lines = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const instr = (name: string): string[] =>
    lines.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());

  it('is multi-stage on Node 20', () => {
    const froms = instr('FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toMatch(/^node:20[-.\w]*\s+AS\s+\w+/i);
  });

  it('builds with npm ci + npm run build and installs only production deps at runtime', () => {
    const runs = instr('RUN').join('\n');
    expect(runs).toMatch(/npm ci(?! --omit=dev)/);
    expect(runs).toMatch(/npm run build/);
    expect(runs).toMatch(/npm ci --omit=dev/);
    const copies = instr('COPY').join('\n');
    for (const dir of ['dist', 'profiles', 'mappings']) expect(copies).toMatch(new RegExp(`--from=\\w+ \\S*/${dir} `));
  });

  it('ships the SQL migrations where the code looks for them (repo root + server/store/migrations)', () => {
    // server/core/paths.ts resolves assets from the directory holding package.json (/app in the image)
    const runs = instr('RUN').join('\n');
    expect(runs).toMatch(/find server .*-exec cp --parents \{\} \/assets\//);
    expect(instr('COPY')).toContain('--from=build /assets/ ./');
    expect(instr('COPY')).toContain('package.json package-lock.json ./');
    expect(fs.readdirSync(path.join(repoRoot, 'server', 'store', 'migrations')).some((f) => f.endsWith('.sql'))).toBe(true);
  });

  it('runs as a non-root user', () => {
    const users = instr('USER');
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1].split(':')[0];
    expect(['root', '0']).not.toContain(last);
  });

  it('exposes 8080, checks /healthz with node and sets the runtime env', () => {
    expect(instr('EXPOSE')).toContain('8080');
    const [hc] = instr('HEALTHCHECK');
    expect(hc).toMatch(/CMD \[?"?node/);
    expect(hc).toContain('/healthz');
    expect(hc).not.toMatch(/curl|wget/);
    const env = instr('ENV').join(' ');
    expect(env).toMatch(/NODE_ENV=production/);
    expect(env).toMatch(/DATA_DIR=\/data/);
    expect(instr('VOLUME').join(' ')).toContain('/data');
    expect(instr('CMD').pop()).toContain('dist/server/main.js');
  });

  it('has a build-context ignore file that keeps secrets, data and node_modules out', () => {
    const ignore = fs.readFileSync(path.join(dockerDir, 'Dockerfile.dockerignore'), 'utf8');
    const rules = ignore.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(rules[0]).toBe('*'); // allow-list: everything else is excluded
    expect(rules).toEqual(expect.arrayContaining(['**/node_modules', '**/.env']));
    expect(rules).not.toContain('!data/');
  });
});

describe('docker/ hygiene', () => {
  const files = [
    path.join(dockerDir, 'Dockerfile'),
    path.join(dockerDir, 'Dockerfile.dockerignore'),
    path.join(dockerDir, 'compose.yaml'),
    ...k8sFiles.map((f) => path.join(k8sDir, f)),
  ];

  it('names no machine path, private registry host or real credential', () => {
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const rel = path.relative(repoRoot, file);
      // container paths (/app, /data, /tmp, /root/.npm) are fine; this checkout's or a user's home are not
      const checkout = repoRoot.split(path.sep).length > 2 && text.includes(repoRoot);
      const machinePath = checkout || /(^|[\s"'=])\/(home|Users)\//m.test(text);
      expect({ rel, machinePath }).toEqual({ rel, machinePath: false });
      // images are bare names (node:20…, postgres:16, twinfhir): no registry host prefix
      for (const m of text.matchAll(/^\s*(?:-\s*)?(?:image:|FROM)\s+(\S+)/gim)) {
        const ref = m[1];
        const first = ref.split('/')[0];
        expect({ rel, ref, hasHost: ref.includes('/') && /[.:]/.test(first) }).toEqual({ rel, ref, hasHost: false });
      }
      expect({ rel, privateKey: /BEGIN [A-Z ]*PRIVATE KEY/.test(text) }).toEqual({ rel, privateKey: false });
    }
  });
});
