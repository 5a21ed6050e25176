import type { DiffFile } from 'diff2html/lib-esm/types';

export type DiffFileStatus = 'added' | 'deleted' | 'renamed' | 'changed' | 'binary';

/** One file of a diff as the view lists it. */
export interface DiffFileSummary {
  /** DOM id of the file's section (unique within one diff view). */
  id: string;
  name: string;
  /** The name before a rename; null otherwise. */
  previousName: string | null;
  status: DiffFileStatus;
  additions: number;
  deletions: number;
  /** Lines of the diff body (context included): decides whether it starts collapsed. */
  lines: number;
  file: DiffFile;
}

/** Files with more diff lines than this start collapsed (one click shows them). */
export const LARGE_FILE_LINES = 400;

let views = 0;

/** A prefix for the ids of one view's sections, so two diffs on a page never collide. */
export function nextViewId(): string {
  return `diff${++views}`;
}

const isDevNull = (name: string | undefined) => !name || name === '/dev/null';

export function summarise(files: DiffFile[], prefix: string): DiffFileSummary[] {
  return files.map((file, i) => {
    const deleted = !!file.isDeleted || isDevNull(file.newName);
    const name = deleted ? file.oldName : file.newName;
    const renamed =
      !!file.isRename ||
      (!deleted && !file.isNew && !isDevNull(file.oldName) && file.oldName !== file.newName);
    const status: DiffFileStatus = file.isBinary
      ? 'binary'
      : file.isNew || isDevNull(file.oldName)
        ? 'added'
        : deleted
          ? 'deleted'
          : renamed
            ? 'renamed'
            : 'changed';
    return {
      id: `${prefix}-f${i}`,
      name,
      previousName: renamed ? file.oldName : null,
      status,
      additions: file.addedLines,
      deletions: file.deletedLines,
      lines: file.blocks.reduce((sum, block) => sum + block.lines.length, 0),
      file,
    };
  });
}
