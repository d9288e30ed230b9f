import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.cache/**', 'coverage/**', 'logs/**', '.tasks/**'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
      },
    },
  },
  // Schemas are written with zod/mini: classic zod's methods defeat tree-shaking, and one classic
  // import anywhere in a bundle's graph puts ~300 KB of zod back into it (bench/FINDINGS.md, session 17).
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'zod', message: "Use `import * as z from 'zod/mini'` (see eslint.config.js)." }] },
      ],
    },
  },
  // Size limits (comments and blank lines not counted): one concern per module, functions a reader
  // can hold. Data files (the default tool table, the classifier's real-output cases) are exempt;
  // a test file's describe() callback is a list of cases, so tests get the file limit only.
  {
    files: ['**/*.ts', '**/*.mjs'],
    ignores: ['packages/core/src/config/default-tools.ts', 'packages/core/src/tool/classify.cases.ts'],
    rules: { 'max-lines': ['error', { max: 350, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['**/*.ts', '**/*.mjs'],
    ignores: ['**/*.test.ts', 'packages/core/src/config/default-tools.ts'],
    rules: {
      'max-lines-per-function': [
        'error',
        { max: 100, skipBlankLines: true, skipComments: true, IIFEs: true },
      ],
    },
  },
);
