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
