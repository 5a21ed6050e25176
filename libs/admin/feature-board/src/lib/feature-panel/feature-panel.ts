import { CurrencyPipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  input,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import {
  type ApiError,
  AuthSession,
  AutocoderApi,
  issueField,
  LiveEventsService,
  toApiError,
} from '@autocoder/admin-data-access-api';
import {
  ErrorPanel,
  type HumanInputAnswer,
  HumanInputForm,
  LoadingIndicator,
  StatusBadge,
} from '@autocoder/admin-ui';
import {
  type FeatureDetailView,
  type FeatureView,
  HumanInputRequestSchema,
  type LiveEvent,
  type UpdateFeatureInput,
} from '@autocoder/shared-contracts';
import {
  catchError,
  debounceTime,
  distinctUntilChanged,
  filter,
  map,
  merge,
  type Observable,
  of,
  Subject,
  switchMap,
} from 'rxjs';
import { DependencyEditor } from '../dependency-editor/dependency-editor';
import { DiffView } from '@autocoder/admin-ui-code';
import { formatDuration, runDurationMs } from '../format/duration';
import { closePanel, panelHost } from '../panel-route/panel-route';
import { SidePanel } from '../side-panel/side-panel';
import { FeatureEditForm } from './feature-edit-form';

type Action = 'skip' | 'retry' | 'delete';

type Loaded<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Whether a live event says something about this feature or one of its runs. */
function concerns(event: LiveEvent, featureId: string, runIds: ReadonlySet<string>): boolean {
  const data = event.data as { featureId?: unknown } | null | undefined;
  if (data && typeof data === 'object' && data.featureId === featureId) return true;
  return event.type === 'run.status' && !!event.runId && runIds.has(event.runId);
}

/**
 * A feature in the side panel (`/projects/:id/features/:featureId`): what it is, where it
 * stands, the runs that worked on it, its last error, its cost, the diff that made it pass and,
 * when it waits, the agent's question. Admins act on it (skip, retry, edit, answer).
 */
@Component({
  selector: 'ac-feature-panel',
  imports: [
    SidePanel,
    StatusBadge,
    ErrorPanel,
    LoadingIndicator,
    HumanInputForm,
    FeatureEditForm,
    DependencyEditor,
    DiffView,
    RouterLink,
    CurrencyPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './feature-panel.html',
  styleUrl: './feature-panel.css',
})
export class FeaturePanel {
  /** Route data (see projectIdResolver) and the route's `:featureId`. */
  readonly projectId = input.required<string>();
  readonly featureId = input.required<string>();

  private readonly api = inject(AutocoderApi);
  private readonly live = inject(LiveEventsService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly canChange = inject(AuthSession).canChange;

  protected readonly feature = signal<FeatureDetailView | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  private readonly reload$ = new Subject<void>();

  protected readonly acting = signal<Action | null>(null);
  protected readonly actionError = signal<ApiError | undefined>(undefined);
  protected readonly editing = signal(false);
  protected readonly confirmingDelete = signal(false);
  protected readonly saving = signal(false);
  protected readonly editErrors = signal<Record<string, string>>({});
  protected readonly editError = signal<ApiError | undefined>(undefined);
  protected readonly answering = signal(false);
  protected readonly answerError = signal<string | null>(null);

  protected readonly diff = signal<Loaded<string> | undefined>(undefined);
  protected readonly diffText = computed(() => {
    const diff = this.diff();
    return diff?.ok ? diff.value : null;
  });
  protected readonly diffError = computed(() => {
    const diff = this.diff();
    return diff && !diff.ok ? diff.error : undefined;
  });

  /** The agent's question, when the stored request is a well-formed form. */
  protected readonly question = computed(() => {
    const feature = this.feature();
    if (feature?.status !== 'needs_input' || !feature.humanInput) return null;
    const parsed = HumanInputRequestSchema.safeParse(feature.humanInput.request);
    return parsed.success ? parsed.data : null;
  });
  protected readonly canSkip = computed(() => {
    const status = this.feature()?.status;
    return status !== undefined && status !== 'passing';
  });
  protected readonly canRetry = computed(() => this.feature()?.status === 'failing');
  /** Who loses a dependency when it is deleted (the api drops those edges with it). */
  protected readonly dependentNames = computed(() => {
    const names = (this.feature()?.dependents ?? []).map((d) => `“${d.name}”`);
    return names.length > 3
      ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`
      : names.join(', ');
  });

  constructor() {
    const target = computed(() => ({ projectId: this.projectId(), featureId: this.featureId() }));
    toObservable(target)
      .pipe(
        distinctUntilChanged((a, b) => a.projectId === b.projectId && a.featureId === b.featureId),
        switchMap(({ projectId, featureId }) => {
          this.feature.set(undefined);
          this.error.set(undefined);
          this.editing.set(false);
          this.confirmingDelete.set(false);
          this.actionError.set(undefined);
          this.answerError.set(null);
          return this.loads(projectId, featureId);
        }),
        takeUntilDestroyed(),
      )
      .subscribe((result) => {
        if (result.ok) {
          this.feature.set(result.value);
          this.error.set(undefined);
        } else {
          this.error.set(result.error);
        }
      });

    // The diff of the merge that made it pass; read once per run.
    toObservable(computed(() => this.feature()?.passedByRunId ?? null))
      .pipe(
        distinctUntilChanged(),
        switchMap((runId) => {
          this.diff.set(undefined);
          if (!runId) return of(undefined);
          return this.api.getRunDiff(runId).pipe(
            map((value): Loaded<string> => ({ ok: true, value })),
            catchError((err: unknown) => of<Loaded<string>>({ ok: false, error: toApiError(err) })),
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe((result) => this.diff.set(result));
  }

  /** The page the panel opened over (the board or the graph): links to other features stay on it. */
  protected readonly host = computed(() => panelHost(this.route, this.projectId()));

  protected close(): void {
    closePanel(this.router, this.projectId(), this.route);
  }

  protected featureLink(featureId: string): string[] {
    return [...this.host(), 'features', featureId];
  }

  protected reload(): void {
    this.reload$.next();
  }

  protected runDuration(run: { startedAt: string | null; finishedAt: string | null }): string {
    const ms = runDurationMs(run, Date.now());
    return ms === null ? '—' : formatDuration(ms);
  }

  protected act(action: Action): void {
    if (this.acting()) return;
    const { projectId, featureId } = { projectId: this.projectId(), featureId: this.featureId() };
    const call =
      action === 'skip'
        ? this.api.skipFeature(projectId, featureId)
        : this.api.retryFeature(projectId, featureId);
    this.acting.set(action);
    this.actionError.set(undefined);
    this.send(
      call,
      () => this.acting.set(null),
      (err) => {
        this.acting.set(null);
        this.actionError.set(err);
      },
    );
  }

  /** Deletes it (after the confirmation) and closes the panel; the board refreshes by itself. */
  protected remove(): void {
    if (this.acting()) return;
    this.acting.set('delete');
    this.actionError.set(undefined);
    this.api
      .deleteFeature(this.projectId(), this.featureId())
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => {
          this.acting.set(null);
          this.close();
        },
        error: (err: unknown) => {
          this.acting.set(null);
          this.confirmingDelete.set(false);
          this.actionError.set(toApiError(err));
        },
      });
  }

  protected save(changes: UpdateFeatureInput): void {
    this.saving.set(true);
    this.editErrors.set({});
    this.editError.set(undefined);
    this.send(
      this.api.updateFeature(this.projectId(), this.featureId(), changes),
      () => {
        this.saving.set(false);
        this.editing.set(false);
      },
      (err) => {
        this.saving.set(false);
        const byField: Record<string, string> = {};
        for (const issue of err.issues) byField[issueField(issue)] ??= issue.message;
        this.editErrors.set(byField);
        this.editError.set(err);
      },
    );
  }

  protected startEditing(): void {
    this.editErrors.set({});
    this.editError.set(undefined);
    this.editing.set(true);
  }

  protected answer(values: HumanInputAnswer): void {
    this.answering.set(true);
    this.answerError.set(null);
    this.send(
      this.api.answerHumanInput(this.projectId(), this.featureId(), { values }),
      () => this.answering.set(false),
      (err) => {
        this.answering.set(false);
        const details = err.issues.map((i) => `${issueField(i) || i.path}: ${i.message}`);
        this.answerError.set([err.message, ...details].join(' · '));
      },
    );
  }

  /** Sends a change; the answer is the feature as it is now, so the panel shows it at once. */
  private send(
    call: Observable<FeatureView>,
    done: () => void,
    failed: (err: ApiError) => void,
  ): void {
    call.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: () => {
        done();
        this.reload$.next();
      },
      error: (err: unknown) => failed(toApiError(err)),
    });
  }

  private loads(projectId: string, featureId: string): Observable<Loaded<FeatureDetailView>> {
    const changed$ = this.live.projectStream(projectId).pipe(
      filter((m) => {
        if (m.kind !== 'event') return true; // reconnected: catch up
        const runIds = new Set(this.feature()?.runs.map((r) => r.id) ?? []);
        return concerns(m.event, featureId, runIds);
      }),
      debounceTime(300),
    );
    return merge(of(undefined), this.reload$, changed$).pipe(
      switchMap(() =>
        this.api.getFeature(projectId, featureId).pipe(
          map((value): Loaded<FeatureDetailView> => ({ ok: true, value })),
          catchError((err: unknown) =>
            of<Loaded<FeatureDetailView>>({ ok: false, error: toApiError(err) }),
          ),
        ),
      ),
    );
  }
}
