import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { type ApiError, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator, ProjectNav } from '@autocoder/admin-ui';
import type {
  ProjectView,
  RepositoryFileView,
  RepositoryTreeView,
} from '@autocoder/shared-contracts';
import type { Subscription } from 'rxjs';
import { FileTree } from '../file-tree/file-tree';
import { FileView, formatBytes, shortSha } from '@autocoder/admin-ui-code';
import { MergeHistory } from '../merge-history/merge-history';
import { MergeQueue } from '../merge-queue/merge-queue';

export type CodeView = 'files' | 'history';

type Shown =
  | { kind: 'loading' }
  | { kind: 'dir'; tree: RepositoryTreeView }
  | { kind: 'file'; file: RepositoryFileView }
  | { kind: 'error'; error: ApiError };

interface Crumb {
  name: string;
  path: string;
}

/**
 * The Code tab (`/projects/:id/code`): main's files as a tree beside the selected directory or
 * file (`?dir=` / `?file=`, optionally `&ref=<sha>` for an older commit), and
 * (`/projects/:id/code/history`) the merges that built main. Query parameters hold the place, so
 * every view has its own address.
 */
@Component({
  selector: 'ac-repository-page',
  imports: [
    RouterLink,
    ProjectNav,
    ErrorPanel,
    LoadingIndicator,
    FileTree,
    FileView,
    MergeHistory,
    MergeQueue,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './repository-page.html',
  styleUrl: './repository-page.css',
})
export class RepositoryPage {
  /** Route parameter `:id`. */
  readonly id = input.required<string>();
  /** Route data: which sub-page. */
  readonly view = input<CodeView>('files');
  /** Query parameters. */
  readonly dir = input<string | undefined>(undefined);
  readonly file = input<string | undefined>(undefined);
  readonly ref = input<string | undefined>(undefined);

  private readonly api = inject(AutocoderApi);
  private readonly router = inject(Router);

  protected readonly project = signal<ProjectView | undefined>(undefined);
  protected readonly shown = signal<Shown>({ kind: 'loading' });
  private readonly reload = signal(0);
  protected readonly archiveUrl = computed(() => this.api.repositoryArchiveUrl(this.id()));
  protected readonly short = shortSha;
  protected readonly bytes = formatBytes;

  /** The path on screen: a file, else a directory, else the root. */
  protected readonly path = computed(() => this.file() ?? this.dir() ?? '');
  protected readonly crumbs = computed((): Crumb[] => {
    const segments = this.path()
      .split('/')
      .filter((s) => s !== '');
    return segments.map((name, i) => ({ name, path: segments.slice(0, i + 1).join('/') }));
  });
  /** No repository yet: nothing to browse, and no archive to download. */
  protected readonly noRepository = computed(() => {
    const shown = this.shown();
    return (
      shown.kind === 'error' && shown.error.statusCode === 404 && this.path() === '' && !this.ref()
    );
  });

  private projectRequest?: Subscription;
  private contentRequest?: Subscription;

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.projectRequest?.unsubscribe();
      this.contentRequest?.unsubscribe();
    });
    effect(() => {
      const id = this.id();
      untracked(() => {
        this.projectRequest?.unsubscribe();
        this.projectRequest = this.api.getProject(id).subscribe({
          next: (p) => this.project.set(p),
          error: () => undefined, // the name in the breadcrumb is all it is for
        });
      });
    });
    effect(() => {
      const id = this.id();
      const view = this.view();
      const file = this.file();
      const dir = this.dir() ?? '';
      const ref = this.ref();
      this.reload();
      if (view !== 'files') return;
      untracked(() => this.loadContent(id, file, dir, ref));
    });
  }

  protected retry(): void {
    this.reload.update((n) => n + 1);
  }

  protected openDir(path: string): void {
    void this.router.navigate([], {
      queryParams: { dir: path || null, file: null },
      queryParamsHandling: 'merge',
    });
  }

  private loadContent(
    id: string,
    file: string | undefined,
    dir: string,
    ref: string | undefined,
  ): void {
    this.contentRequest?.unsubscribe();
    // Keep what is shown while the next loads (no flash), unless it was an error.
    if (this.shown().kind === 'error') this.shown.set({ kind: 'loading' });
    const done = {
      error: (err: unknown) => this.shown.set({ kind: 'error', error: toApiError(err) }),
    };
    this.contentRequest = file
      ? this.api
          .getRepositoryFile(id, file, ref)
          .subscribe({ next: (f) => this.shown.set({ kind: 'file', file: f }), ...done })
      : this.api
          .getRepositoryTree(id, dir, ref)
          .subscribe({ next: (tree) => this.shown.set({ kind: 'dir', tree }), ...done });
  }
}
