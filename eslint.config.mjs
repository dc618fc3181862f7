// ESLint flat config. Server and bench code are linted type-aware (typescript-eslint
// recommendedTypeChecked); tests get the lighter syntactic set so linting them stays fast.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import tseslint from 'typescript-eslint';

const unusedVars = [
  'error',
  {
    argsIgnorePattern: '^_',
    varsIgnorePattern: '^_',
    caughtErrorsIgnorePattern: '^_',
    destructuredArrayIgnorePattern: '^_',
    ignoreRestSiblings: true,
  },
];

const nodeGlobals = {
  require: 'readonly',
  module: 'writable',
  exports: 'writable',
  __dirname: 'readonly',
  __filename: 'readonly',
  process: 'readonly',
  console: 'readonly',
};

// Small modules with one job (RULES.md): blank lines and comments do not count.
const size = { skipBlankLines: true, skipComments: true };
const fileSize = ['error', { max: 300, ...size }];
const functionSize = ['error', { max: 60, ...size }];

/**
 * max-lines-per-function for tests, except for suite bodies: a function that registers tests or hooks
 * (a describe callback, a describe.each body, a runXxxContract function) is a list of independent
 * tests, and its length says nothing about its complexity. Every other function — each test's own
 * callback, every helper — keeps the limit.
 */
const SUITE_CALLS = new Set(['describe', 'test', 'it', 'beforeAll', 'afterAll', 'beforeEach', 'afterEach']);
function rootName(node) {
  while (node.type === 'MemberExpression' || node.type === 'CallExpression') node = node.type === 'MemberExpression' ? node.object : node.callee;
  return node.type === 'Identifier' ? node.name : undefined;
}
function registersTests(fn) {
  return fn.body?.type === 'BlockStatement' && fn.body.body.some((st) =>
    st.type === 'ExpressionStatement' && st.expression.type === 'CallExpression' && SUITE_CALLS.has(rootName(st.expression.callee)));
}
const coreFunctionSize = builtinRules.get('max-lines-per-function');
const testFunctionSize = {
  meta: { ...coreFunctionSize.meta, docs: { description: 'max-lines-per-function, suite bodies exempt' } },
  create(context) {
    const filtered = Object.create(context, {
      report: { value: (descriptor) => (registersTests(descriptor.node) ? undefined : context.report(descriptor)) },
    });
    return coreFunctionSize.create(filtered);
  },
};

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    'dist/',
    'server/review/ui/dist/',
    'coverage/',
    'data/',
    'test-artifacts/',
  ]),

  // Plain JS config files at the root (jest.config.js, .dependency-cruiser.cjs, this file).
  {
    files: ['*.js', '*.cjs', '*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: nodeGlobals },
  },

  // The development authorization server (oidc-provider is ESM-only: plain .mjs in its own process).
  {
    files: ['server/idp/**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...nodeGlobals, Buffer: 'readonly', URL: 'readonly', URLSearchParams: 'readonly' } },
  },

  // Server and bench: type-aware.
  {
    files: ['server/**/*.ts', 'bench/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      // express 5 accepts async handlers; passing one as an argument is fine
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': unusedVars,
      // async implementations of Promise-returning interfaces need not await
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'warn', // log through pino
      'max-lines': fileSize,
      'max-lines-per-function': functionSize,
    },
  },

  // Benchmarks print their numbers to stdout: that is their whole job.
  {
    files: ['bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },

  // Tests: syntactic rules only (no type information), looser about fixtures.
  {
    files: ['test/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    plugins: { twinfhir: { rules: { 'max-lines-per-function': testFunctionSize } } },
    rules: {
      'max-lines': fileSize,
      'twinfhir/max-lines-per-function': functionSize,
      // a skip must say why (describeIf/testIf in test/support/skip.ts); a focused test must not be committed
      'no-restricted-properties': ['error',
        ...['describe', 'it', 'test'].flatMap((object) => [
          { object, property: 'skip', message: 'Use describeIf/testIf (test/support/skip.ts): a skip states its reason.' },
          { object, property: 'only', message: 'A focused test silently skips every other one.' },
        ])],
      'no-restricted-globals': ['error', ...['xit', 'xtest', 'xdescribe', 'fit', 'fdescribe'].map((name) => ({ name, message: 'A skip states its reason (describeIf/testIf); nothing is focused.' }))],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': unusedVars,
    },
  },

  // The one place that may skip: it names the reason in the title and the output.
  {
    files: ['test/support/skip.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
