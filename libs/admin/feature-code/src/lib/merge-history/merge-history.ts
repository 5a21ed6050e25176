import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import { type ApiError, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator, StatusBadge } from '@autocoder/admin-ui';
import type { RepositoryMergeView } from '@autocoder/shared-contracts';
import type { Subscription } from 'rxjs';
import { DiffView, shortSha } from '@autocoder/admin-ui-code';

/** Merges read per page ("Show more" reads the next). */
export const HISTORY_PAGE_SIZE = 20;

type DiffState =
  | { state: 'loading' }
  | { state: 'ok'; diff: string }
  | { state: 'error'; error: ApiError };

/**
 * The merges that built main, newest first: the feature each was for (a link to its panel),
 * when, how much changed, and its diff on demand.
 */
@Component({
  selector: 'ac-merge-history',
  imports: [RouterLink, DatePipe, DiffView, ErrorPanel, LoadingIndicator, StatusBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './merge-history.html',
  styleUrl: './merge-history.css',
})
export class MergeHistory {
  readonly projectId = input.required<string>();

  private readonly api = inject(AutocoderApi);
  protected readonly merges = signal<RepositoryMergeView[]>([]);
  protected readonly total = signal<number | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<ApiError | undefined>(undefined);
  protected readonly diffs = signal<ReadonlyMap<string, DiffState>>(new Map());
  protected readonly open = signal<ReadonlySet<string>>(new Set());
  protected readonly short = shortSha;
  private page?: Subscription;
  private readonly diffRequests = new Map<string, Subscription>();

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.page?.unsubscribe();
      this.diffRequests.forEach((s) => s.unsubscribe());
    });
    effect(() => {
      this.projectId();
      untracked(() => {
        this.merges.set([]);
        this.total.set(null);
        this.open.set(new Set());
        this.diffs.set(new Map());
        this.loadMore();
      });
    });
  }

  protected loadMore(): void {
    this.page?.unsubscribe();
    this.loading.set(true);
    this.error.set(undefined);
    this.page = this.api
      .getRepositoryHistory(this.projectId(), {
        limit: HISTORY_PAGE_SIZE,
        offset: this.merges().length,
      })
      .subscribe({
        next: (page) => {
          this.merges.update((list) => [...list, ...page.items]);
          this.total.set(page.total);
          this.loading.set(false);
        },
        error: (err: unknown) => {
          this.error.set(toApiError(err));
          this.loading.set(false);
        },
      });
  }

  protected isOpen(merge: RepositoryMergeView): boolean {
    return this.open().has(merge.commit);
  }

  protected diffOf(merge: RepositoryMergeView): DiffState | undefined {
    return this.diffs().get(merge.commit);
  }

  protected toggleDiff(merge: RepositoryMergeView): void {
    const sha = merge.commit;
    const next = new Set(this.open());
    if (!next.delete(sha)) {
      next.add(sha);
      const current = this.diffs().get(sha);
      if (!current || current.state === 'error') this.loadDiff(sha);
    }
    this.open.set(next);
  }

  protected loadDiff(sha: string): void {
    this.diffRequests.get(sha)?.unsubscribe();
    this.setDiff(sha, { state: 'loading' });
    this.diffRequests.set(
      sha,
      this.api.getCommitDiff(this.projectId(), sha).subscribe({
        next: (diff) => this.setDiff(sha, { state: 'ok', diff }),
        error: (err: unknown) => this.setDiff(sha, { state: 'error', error: toApiError(err) }),
      }),
    );
  }

  private setDiff(sha: string, state: DiffState): void {
    this.diffs.update((map) => new Map(map).set(sha, state));
  }
}
