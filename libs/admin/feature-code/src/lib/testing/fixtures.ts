// TestBed set-up and fake answers shared by this lib's component tests. Imported by specs only:
// never part of the lib's public index, and left out of tsconfig.lib.json.
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, type Routes } from '@angular/router';
import { EVENT_SOURCE_FACTORY } from '@autocoder/admin-data-access-api';
import type {
  MergeQueueEntryView,
  MergeQueueView,
  RepositoryEntryView,
  RepositoryMergeView,
  RepositoryTreeView,
} from '@autocoder/shared-contracts';

export const AT = '2026-01-01T10:00:00.000Z';
export const MAIN = 'a'.repeat(40);

/** A diff of two files: one changed (with markup in its text), one added. */
export const TWO_FILE_DIFF = [
  'diff --git a/src/login.ts b/src/login.ts',
  'index 1111111..2222222 100644',
  '--- a/src/login.ts',
  '+++ b/src/login.ts',
  '@@ -1,2 +1,2 @@',
  ' export const name = "login";',
  '-const ok = false;',
  '+const ok = "<b>true</b>";',
  'diff --git a/README.md b/README.md',
  'new file mode 100644',
  'index 0000000..3333333',
  '--- /dev/null',
  '+++ b/README.md',
  '@@ -0,0 +1,2 @@',
  '+# Todos',
  '+A list.',
  '',
].join('\n');

export function setUpTestBed(routes: Routes = []): HttpTestingController {
  TestBed.configureTestingModule({
    providers: [
      provideRouter(routes),
      provideHttpClient(),
      provideHttpClientTesting(),
      { provide: EVENT_SOURCE_FACTORY, useValue: null },
    ],
  });
  return TestBed.inject(HttpTestingController);
}

export function entry(
  path: string,
  type: RepositoryEntryView['type'],
  size: number | null = null,
): RepositoryEntryView {
  return {
    name: path.split('/').pop() ?? path,
    path,
    type,
    size: type === 'dir' ? null : (size ?? 10),
  };
}

export function tree(path: string, entries: RepositoryEntryView[]): RepositoryTreeView {
  return { ref: 'main', commit: MAIN, path, entries, truncated: false };
}

export function merge(n: number, extra: Partial<RepositoryMergeView> = {}): RepositoryMergeView {
  return {
    commit: n.toString(16).padStart(40, 'c'),
    parents: ['b'.repeat(40), 'c'.repeat(40)],
    subject: `Merge Feature ${n} (run r${n})`,
    message: `Merge Feature ${n} (run r${n})`,
    authorName: 'AutoCoder',
    authorEmail: 'autocoder@localhost',
    committedAt: AT,
    runId: `r${n}`,
    feature: { id: `f${n}`, name: `Feature ${n}`, status: 'passing' },
    featureName: `Feature ${n}`,
    files: [{ path: `src/f${n}.ts`, previousPath: null, additions: 3, deletions: 1 }],
    filesChanged: 1,
    additions: 3,
    deletions: 1,
    ...extra,
  };
}

/** A merge request in the merge queue's view: feature `Feature <n>`, run `r<n>`. */
export function queued(n: number, extra: Partial<MergeQueueEntryView> = {}): MergeQueueEntryView {
  return {
    id: `mr${n}`,
    feature: { id: `f${n}`, name: `Feature ${n}`, status: 'in_progress' },
    runId: `r${n}`,
    status: 'queued',
    batchId: null,
    position: null,
    commit: n.toString(16).padStart(40, 'd'),
    mergeCommit: null,
    attempts: 0,
    detail: null,
    detailTruncated: false,
    createdAt: AT,
    startedAt: null,
    finishedAt: null,
    ...extra,
  };
}

export function mergeQueue(extra: Partial<MergeQueueView> = {}): MergeQueueView {
  return {
    open: [],
    recent: [],
    limit: 10,
    summary: {
      queued: 0,
      merging: 0,
      mergedLastHour: 0,
      failedLastHour: 0,
      medianWaitSeconds: null,
    },
    ...extra,
  };
}

/**
 * Polls until `check` holds (returns anything but false without throwing): answers, lazy chunks
 * and renders are asynchronous. Fails with the check's last error, if it threw.
 */
export async function until(check: () => boolean | void, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    let failure: unknown = new Error('condition not met in time');
    try {
      if (check() !== false) return;
    } catch (err) {
      failure = err;
    }
    if (Date.now() - start > timeoutMs) throw failure;
    await new Promise((r) => setTimeout(r, 20));
  }
}
