// Shared Angular lint rules (tools/eslint/angular-project.mjs), plus the first-load import rule:
// this project is part of the console's initial bundle.
import angular, { firstLoadRules } from '../../tools/eslint/angular-project.mjs';

export default [...angular, firstLoadRules];
