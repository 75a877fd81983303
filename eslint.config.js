// Lint rules that carry the project's promises: suites and the harness never reach into the
// reference system (they see a system only through its profile), and no focused test slips in.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const focused = ['describe', 'it', 'test'].map((object) => ({ object, property: 'only', message: 'a focused test hides every other test' }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'reports/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-restricted-properties': ['error', ...focused],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['suites/**', 'harness/**', 'contracts/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/reference/**', '**/reference', '**/articles/**', '**/articles'],
              message: 'suites and the harness see the system under test only through its target profile, never the internals of reference/ or articles/',
            },
          ],
        },
      ],
    },
  },
  {
    // Suites reach the system only through shipgate's HTTP client, burst engine and database
    // session: the chokepoints that keep a production target read-only (harness/safety/read-only.ts).
    files: ['suites/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['pg', 'undici', 'node:http', 'node:https', 'node:http2', 'node:net', 'node:tls', 'node:dgram', 'http', 'https', 'net', 'tls'].map((name) => ({
            name,
            message: "suites send requests and SQL through shipgate's client, burst engine and database session (the read-only chokepoints), never their own",
            allowTypeImports: true,
          })),
        },
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: "suites send requests through shipgate's HTTP client (the read-only chokepoint), never fetch" }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
);
