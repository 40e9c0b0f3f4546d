// ESLint with typescript-eslint's type-aware rules, run by `npm test` (npm run lint).
// Promises are the rule: a fire-and-forget call is marked (`void`, or a `.catch`) and
// checked, and a promise is never handed where a callback's result is ignored.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/', 'sample/dist/', 'node_modules/', 'bench/', 'scripts/', '.ci/', 'coverage/'],
  },
  {
    files: ['**/*.ts', '**/*.cts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
);
