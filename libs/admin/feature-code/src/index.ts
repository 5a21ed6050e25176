export { codeRoutes } from './lib/code.routes';
