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
import { ErrorPanel, LoadingIndicator, ProjectNav, StatusBadge } from '@autocoder/admin-ui';
import type { ProjectView, RunView } from '@autocoder/shared-contracts';
import { forkJoin, type Subscription } from 'rxjs';
import { DiffView } from '@autocoder/admin-ui-code';

/**
 * What one run changed (`/projects/:id/code/runs/:runId`): for a merged run, what its merge
 * brought into main; before the merge, what its session branch holds. The run panel links here.
 */
@Component({
  selector: 'ac-run-diff-page',
  imports: [RouterLink, ProjectNav, ErrorPanel, LoadingIndicator, StatusBadge, DiffView],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './run-diff-page.html',
  styleUrl: './run-diff-page.css',
})
export class RunDiffPage {
  readonly id = input.required<string>();
  readonly runId = input.required<string>();

  private readonly api = inject(AutocoderApi);
  protected readonly project = signal<ProjectView | undefined>(undefined);
  protected readonly run = signal<RunView | undefined>(undefined);
  protected readonly diff = signal<string | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  private readonly reload = signal(0);
  private request?: Subscription;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.request?.unsubscribe());
    effect(() => {
      const id = this.id();
      const runId = this.runId();
      this.reload();
      untracked(() => {
        this.request?.unsubscribe();
        this.error.set(undefined);
        this.diff.set(undefined);
        this.api
          .getProject(id)
          .subscribe({ next: (p) => this.project.set(p), error: () => undefined });
        this.request = forkJoin([this.api.getRun(runId), this.api.getRunDiff(runId)]).subscribe({
          next: ([{ events: _events, ...run }, diff]) => {
            this.run.set(run);
            this.diff.set(diff);
          },
          error: (err: unknown) => this.error.set(toApiError(err)),
        });
      });
    });
  }

  protected retry(): void {
    this.reload.update((n) => n + 1);
  }
}
