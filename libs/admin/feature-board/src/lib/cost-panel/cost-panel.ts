import { CurrencyPipe, PercentPipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { ApiError, AuthSession, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel, ProgressBar, type ProgressTone } from '@autocoder/admin-ui';
import type { ProjectSpendView, ProjectView } from '@autocoder/shared-contracts';
import { catchError, distinctUntilChanged, map, merge, of, Subject, switchMap } from 'rxjs';

type SpendLoad = { ok: true; value: ProjectSpendView } | { ok: false; error: ApiError };

/**
 * What the project cost: in total, today, split into new work and regression, against its
 * budget (with the warning threshold). A spent budget is shown with its way out: an admin
 * raises it right here. The spend it loads goes out in `loaded` for the per-feature table.
 */
@Component({
  selector: 'ac-cost-panel',
  imports: [CurrencyPipe, PercentPipe, ProgressBar, ErrorPanel],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './cost-panel.html',
  styleUrl: './cost-panel.css',
})
export class CostPanel {
  private readonly api = inject(AutocoderApi);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly canChange = inject(AuthSession).canChange;

  readonly project = input.required<ProjectView>();
  /** The project as the api answered a budget change. */
  readonly changed = output<ProjectView>();
  /** Each fresh answer of GET /spend (its per-feature rows show elsewhere on the page). */
  readonly loaded = output<ProjectSpendView>();

  protected readonly spend = signal<ProjectSpendView | undefined>(undefined);
  protected readonly loadError = signal<ApiError | undefined>(undefined);
  private readonly retry$ = new Subject<void>();

  protected readonly budgetSpent = computed(() => this.project().activity.state === 'budget');
  protected readonly editing = signal(false);
  /** The budget form is open while the admin edits, and always when the budget is spent. */
  protected readonly formOpen = computed(
    () => this.canChange() && (this.editing() || this.budgetSpent()),
  );
  protected readonly draft = signal('');
  protected readonly saving = signal(false);
  protected readonly saveError = signal<ApiError | undefined>(undefined);
  protected readonly saved = signal('');

  protected readonly budgetShare = computed(() => {
    const budget = this.project().budgetUsd;
    return budget ? (this.project().spentUsd / budget) * 100 : 0;
  });
  protected readonly warnAt = computed(() => this.spend()?.budgetWarnAt ?? null);
  /** The warning threshold in percent of the budget, for the bar's mark. */
  protected readonly warnMark = computed(() => {
    const warnAt = this.warnAt();
    return warnAt === null ? null : Math.round(warnAt * 100);
  });
  protected readonly budgetTone = computed((): ProgressTone => {
    const share = this.budgetShare();
    const warnAt = this.warnAt();
    if (share >= 100) return 'danger';
    return warnAt !== null && share >= warnAt * 100 ? 'warning' : 'success';
  });
  /** A hint in the empty field: twice the budget (or what is spent), in whole dollars. */
  protected readonly suggestedBudget = computed(() => {
    const base = Math.max(this.project().budgetUsd ?? 0, this.project().spentUsd);
    return base > 0 ? `e.g. ${Math.ceil(base * 2)}` : 'e.g. 20';
  });
  protected readonly draftError = computed(() => {
    const value = Number(this.draft());
    if (this.draft().trim() === '' || !Number.isFinite(value) || value <= 0) {
      return 'A budget is a positive number of dollars.';
    }
    if (value > 1_000_000) return 'At most $1,000,000.';
    if (this.budgetSpent() && value <= this.project().spentUsd) {
      return 'Raise it above what is spent already to let the agents go on.';
    }
    return '';
  });

  constructor() {
    // Spend changes only when the project's spend (or budget) does: fetch on that, not on a timer.
    const key = computed(() => {
      const p = this.project();
      return `${p.id}|${p.spentUsd}|${p.budgetUsd}`;
    });
    merge(toObservable(key).pipe(distinctUntilChanged()), this.retry$)
      .pipe(
        switchMap(() =>
          this.api.getSpend(this.project().id).pipe(
            map((value): SpendLoad => ({ ok: true, value })),
            catchError((err: unknown) => of<SpendLoad>({ ok: false, error: toApiError(err) })),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((result) => {
        if (result.ok) {
          this.spend.set(result.value);
          this.loadError.set(undefined);
          this.loaded.emit(result.value);
        } else {
          this.loadError.set(result.error);
        }
      });
  }

  protected readValue(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected retry(): void {
    this.retry$.next();
  }

  protected edit(): void {
    const budget = this.project().budgetUsd;
    this.draft.set(budget === null ? '' : String(budget));
    this.saved.set('');
    this.editing.set(true);
  }

  protected cancel(): void {
    this.editing.set(false);
    this.saveError.set(undefined);
  }

  protected save(budgetUsd: number | null): void {
    if (budgetUsd !== null && this.draftError()) return;
    this.saving.set(true);
    this.saveError.set(undefined);
    this.api
      .updateProject(this.project().id, { budgetUsd })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (project) => {
          this.saving.set(false);
          this.editing.set(false);
          this.saved.set(budgetUsd === null ? 'Budget removed.' : 'Budget saved.');
          this.changed.emit(project);
        },
        error: (err: unknown) => {
          this.saving.set(false);
          this.saveError.set(toApiError(err));
        },
      });
  }
}
