// ESLint for the console and its libs: the root rules (module boundaries, no any) plus
// Angular's, with the `ac` selector prefix. Each admin project's eslint.config.mjs re-exports it.
import nx from '@nx/eslint-plugin';
import baseConfig from '../../eslint.config.mjs';

export default [
  ...nx.configs['flat/angular'],
  ...nx.configs['flat/angular-template'],
  ...baseConfig,
  {
    files: ['**/*.ts'],
    rules: {
      '@angular-eslint/directive-selector': [
        'error',
        { type: 'attribute', prefix: 'ac', style: 'camelCase' },
      ],
      '@angular-eslint/component-selector': [
        'error',
        { type: 'element', prefix: 'ac', style: 'kebab-case' },
      ],
    },
  },
];

/**
 * For code in the console's first load (the shell, data access, UI components): values from the
 * contracts come from their zod-free entry, so zod stays in the lazy pages that validate forms.
 * `bench/console-bytes.mjs` measures the result.
 */
export const firstLoadRules = {
  files: ['**/*.ts'],
  ignores: ['**/*.spec.ts', '**/test-setup.ts', '**/jest.config.{ts,cts}'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: [
          {
            name: '@autocoder/shared-contracts',
            allowTypeImports: true,
            message:
              "Code in the first load imports values from '@autocoder/shared-contracts/plain' (no zod); types may come from either.",
          },
        ],
      },
    ],
  },
};
