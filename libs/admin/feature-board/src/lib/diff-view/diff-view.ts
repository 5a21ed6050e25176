// The diff view lives with the Code page (libs/admin/feature-code), which also shows any run's
// diff and each merge's; the feature panel uses the same component.
export { DIFF_STYLESHEET, DiffView, type DiffLayout } from '@autocoder/admin-feature-code';
