/**
 * Packaging checks for docker/ compose, Dockerfile and hygiene (DESIGN.md §5, §6). Docker is not available
 * in CI, so every file is parsed and the properties that matter are asserted statically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEPLOYED_NODE_OPTIONS } from '../../bench/lib/deployed-node-options';
import { repoRoot, dockerDir, k8sDir, type Obj, readYamlDocs, interpolate, k8sFiles, deployments, containers, envVar } from './docker-files';

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

  it('bounds the V8 heap as the k8s Deployments do, and as bench/fuzz measures the server', () => {
    expect(instr('ENV')).toContain(`NODE_OPTIONS=${DEPLOYED_NODE_OPTIONS}`);
    for (const dep of deployments()) for (const c of containers(dep)) expect(envVar(c, 'NODE_OPTIONS')?.value).toBe(DEPLOYED_NODE_OPTIONS);
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
