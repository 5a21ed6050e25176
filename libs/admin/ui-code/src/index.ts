export {
  DiffView,
  DIFF_STYLESHEET,
  DIFF_LAYOUT_KEY,
  type DiffLayout,
} from './lib/diff-view/diff-view';
export { FileView } from './lib/file-view/file-view';
export { formatBytes, shortSha } from './lib/format/bytes';
