// ESLint flat config. Server and bench code are linted type-aware (typescript-eslint
// recommendedTypeChecked); tests get the lighter syntactic set so linting them stays fast.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
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
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': unusedVars,
    },
  },
);
