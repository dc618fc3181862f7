/**
 * Jest for TwinFHIR. ts-jest only transpiles (tsconfig.json has isolatedModules: true), so type
 * errors are caught by `tsc --noEmit`, not here — that keeps test start-up fast.
 *
 * PGlite loads its WebAssembly through dynamic import(), which Jest's module sandbox only allows
 * under `node --experimental-vm-modules`: run the suite through `npm test`, which sets it.
 * @type {import('jest').Config}
 */
const vmModulesFlag = '--experimental-vm-modules';
if (!process.execArgv.includes(vmModulesFlag) && !(process.env.NODE_OPTIONS ?? '').includes(vmModulesFlag)) {
  process.stderr.write(`jest: started without ${vmModulesFlag}; suites that open PGlite will fail. Use \`npm test\`.\n`);
}

module.exports = {
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
  // compiled output must never be picked up as modules or tests
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  // some suites start databases (PGlite, PostgreSQL)
  testTimeout: 60000,
  maxWorkers: 2,
};
