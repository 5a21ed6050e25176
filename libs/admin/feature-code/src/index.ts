export { codeRoutes } from './lib/code.routes';
export {
  DiffView,
  DIFF_STYLESHEET,
  DIFF_LAYOUT_KEY,
  type DiffLayout,
} from './lib/diff-view/diff-view';
