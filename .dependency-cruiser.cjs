/**
 * Layering of server/ (DESIGN.md §2), checked in CI:
 *   npx depcruise server --config .dependency-cruiser.cjs
 *
 *   main.ts → app.ts → http → rest/operations → nlp/review/twin/search-index → jobs → store (interface) → search
 *   core/ (errors, access context, clock) is shared by all and imports nothing of ours.
 *
 * Paths are relative to the repository root. test/ may import anything.
 * @type {import('dependency-cruiser').IConfiguration}
 */

const ours = '^server/';
// the store's public contract; everything else under store/ is implementation
const storeInterface = '^server/store/types\\.ts$';
const dbDrivers = '(^|/)node_modules/(@types/)?(pg|pg-pool|pg-protocol|pg-native|pg-cursor|@electric-sql/pglite)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular dependencies make layers meaningless and module init order fragile.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-a-leaf',
      severity: 'error',
      comment: 'core/ holds pure shared types (errors, access context, clock): anyone may import it, it imports nothing of ours.',
      from: { path: '^server/core/' },
      to: { path: ours, pathNot: '^server/core/' },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment: 'config.ts only parses the environment; the composition root passes settings down.',
      from: { path: '^server/config\\.ts$' },
      to: { path: ours, pathNot: ['^server/core/', '^server/config\\.ts$'] },
    },
    {
      name: 'search-is-pure',
      severity: 'error',
      comment: 'search/ (registry, extraction, query parsing) imports nothing of ours except core/.',
      from: { path: '^server/search/' },
      to: { path: ours, pathNot: ['^server/search/', '^server/core/'] },
    },
    {
      name: 'validation-is-pure',
      severity: 'error',
      comment: 'validation/ imports nothing of ours except core/.',
      from: { path: '^server/validation/' },
      to: { path: ours, pathNot: ['^server/validation/', '^server/core/'] },
    },
    {
      name: 'store-only-uses-search-and-core',
      severity: 'error',
      comment: 'store/ may use search/ (types, extractors) and core/ only — never rest/http/operations/nlp/review/twin.',
      from: { path: '^server/store/' },
      to: { path: ours, pathNot: ['^server/store/', '^server/search/', '^server/core/'] },
    },
    {
      name: 'services-not-upper-layers',
      severity: 'error',
      comment: 'nlp/, review/, twin/, search-index/, bulk/, subscriptions/ and jobs/ sit below http/, rest/ and operations/ and must not reach up.',
      from: { path: '^server/(nlp|review|twin|search-index|bulk|subscriptions|jobs)/' },
      to: { path: '^server/(http|rest|operations)/' },
    },
    {
      name: 'cli-is-a-client',
      severity: 'error',
      comment: 'server/cli talks to any FHIR server over HTTP (fhir-kit-client); it uses nothing of the server but core/.',
      from: { path: '^server/cli/' },
      to: { path: ours, pathNot: ['^server/cli/', '^server/core/'] },
    },
    {
      name: 'services-use-store-interface',
      severity: 'error',
      comment: 'nlp/, review/, twin/, search-index/, bulk/, subscriptions/ and jobs/ use the store through store/types.ts only, never its implementation.',
      from: { path: '^server/(nlp|review|twin|search-index|bulk|subscriptions|jobs)/' },
      to: { path: '^server/store/', pathNot: storeInterface },
    },
    {
      name: 'research-export-steps-are-services',
      severity: 'error',
      comment: 'bulk/pseudonymize and bulk/consent are steps the export calls: pure transforms and store reads through store/types.ts, never the layers above.',
      from: { path: '^server/bulk/(pseudonymize|consent)/' },
      to: { path: '^server/(http|rest|operations|store/(?!types\\.ts$))' },
    },
    {
      name: 'job-runner-below-services',
      severity: 'error',
      comment: 'jobs/ (the one job runner) knows no queue: services plug their handlers into it, never the reverse.',
      from: { path: '^server/jobs/' },
      to: { path: '^server/(nlp|review|twin|search-index|bulk|subscriptions)/' },
    },
    {
      name: 'sql-surface-private-to-store',
      severity: 'error',
      comment: 'Only store/ writes SQL: store/sql.ts is imported from store/ (and tests) only.',
      from: { pathNot: ['^server/store/', '^test/'] },
      to: { path: '^server/store/sql\\.ts$' },
    },
    {
      name: 'db-drivers-only-in-store',
      severity: 'error',
      comment: 'Only server/store/** may import pg or @electric-sql/pglite.',
      from: { pathNot: ['^server/store/', '^test/'] },
      to: { path: dbDrivers },
    },
    {
      name: 'rest-operations-not-http',
      severity: 'error',
      comment: 'rest/ and operations/ know nothing of express glue (testable without HTTP).',
      from: { path: '^server/(rest|operations)/' },
      to: { path: '^server/http/' },
    },
    {
      name: 'nobody-imports-main',
      severity: 'error',
      comment: 'main.ts is the process entry point.',
      from: { pathNot: '^test/' },
      to: { path: '^server/main\\.ts$' },
    },
    {
      name: 'only-main-imports-app',
      severity: 'error',
      comment: 'app.ts is the composition root; only main.ts (and tests) wire it.',
      from: { pathNot: ['^server/main\\.ts$', '^test/'] },
      to: { path: '^server/app\\.ts$' },
    },
    {
      name: 'server-not-test',
      severity: 'error',
      comment: 'Production code never imports test code.',
      from: { path: ours },
      to: { path: '^test/' },
    },
    {
      name: 'server-no-dev-dependencies',
      severity: 'error',
      comment:
        'The runtime image installs with `npm ci --omit=dev`: server code may import a devDependency for types only. Exempt: the review page bundler (build.ts) and the browser code it bundles (ui/app/, e.g. fhirclient), which run at build time / in the browser, never in the server process.',
      from: { path: ours, pathNot: ['^server/review/ui/build\\.ts$', '^server/review/ui/app/'] },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['type-only'],
        pathNot: ['(^|/)node_modules/@types/'],
      },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a missing file or an uninstalled package.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment: 'Import only packages declared in package.json, not ones that happen to be installed transitively.',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'no-orphans',
      severity: 'warn',
      comment: 'A module nothing imports is dead code, or an entry point that should be listed here.',
      from: {
        orphan: true,
        pathNot: [
          '(^|/)\\.[^/]+\\.(js|cjs|mjs|ts|json)$',
          '\\.d\\.ts$',
          '(^|/)tsconfig\\.json$',
          '^server/main\\.ts$',
          '^server/cli/main\\.ts$',
          '^test/',
          '^bench/',
        ],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^server/review/ui/dist/'] },
    moduleSystems: ['cjs', 'es6'],
    // count `import type` too: a layer must not even know another's types
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['require', 'import', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
      extensions: ['.ts', '.d.ts', '.js', '.cjs', '.mjs', '.json'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
