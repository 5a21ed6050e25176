// Shared Angular lint rules (tools/eslint/angular-project.mjs).
export { default } from '../../../tools/eslint/angular-project.mjs';
