import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NO_ENUM = { selector: 'TSEnumDeclaration', message: 'Use string-literal unions, not enum.' };
const NO_QUERIES = {
  selector:
    'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)$/]',
  message: 'Only src/storage talks to the database: add a function there and call it.',
};

/** Import rules for one layer: the src/ folders and the packages it may not import. */
function layer(files, folders, packages, noQueries = false, allowed = [], modules = []) {
  return [
    {
      files: [files],
      ignores: ['**/*.test.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              ...folders.map((f) => ({
                group: [`**/${f}/*`, `**/${f}/**`, ...allowed.map((a) => `!${a}`)],
                message: `This layer may not import src/${f} (layers: domain ← contracts ← storage ← use-cases ← http/cli).`,
              })),
              ...packages.map((p) => ({ group: [p, `${p}/*`], message: `This layer may not use ${p}.` })),
              ...modules.map((m) => ({ group: [m], message: `This layer may not import ${m}.` })),
            ],
          },
        ],
        ...(noQueries ? { 'no-restricted-syntax': ['error', NO_ENUM, NO_QUERIES] } : {}),
      },
    },
  ];
}

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'dist', 'coverage', '.tmp', 'bin/*.js', 'examples/**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use string-literal unions, not enum.' },
      ],
    },
  },
  // Layers (issue 8, findings 12 and 14): domain ← contracts ← storage ← use cases ← http / cli;
  // the web client reads only the domain and the contracts. Only src/storage talks to the database.
  ...layer(
    'src/domain/**/*.ts',
    ['contracts', 'storage', 'use-cases', 'http', 'cli'],
    ['kysely', 'fastify', 'pg', 'better-sqlite3'],
  ),
  ...layer(
    'src/contracts/**/*.ts',
    ['storage', 'use-cases', 'http', 'cli'],
    ['kysely', 'fastify', 'pg', 'better-sqlite3'],
  ),
  ...layer('src/storage/**/*.ts', ['use-cases', 'http', 'cli'], ['fastify']),
  // src/platform.ts wires the use cases together: they take the Platform, never build one.
  ...layer(
    'src/use-cases/**/*.ts',
    ['http', 'cli'],
    ['kysely', 'fastify', 'pg', 'better-sqlite3'],
    true,
    [],
    ['../platform.ts', '**/src/platform.ts'],
  ),
  ...layer('src/http/**/*.ts', ['cli'], ['kysely', 'pg', 'better-sqlite3'], true),
  ...layer('src/cli/**/*.ts', [], ['kysely', 'pg', 'better-sqlite3'], true),
  // The web client shares the request and response contracts of src/contracts.
  ...layer(
    'web/**/*.{ts,tsx}',
    ['storage', 'use-cases', 'http', 'cli'],
    ['kysely', 'fastify', 'pg', 'better-sqlite3'],
  ),
  {
    // `response.json() as T` reads better in tests than `response.json<T>()`.
    files: ['test/**/*.ts', '**/*.test.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-unnecessary-type-assertion': 'off' },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
