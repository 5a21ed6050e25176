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
import { RouterLink } from '@angular/router';
import {
  type ApiError,
  AuthSession,
  AutocoderApi,
  issueField,
  LiveEventsService,
  poll,
  toApiError,
} from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator, ProjectNav } from '@autocoder/admin-ui';
import type {
  CreateScheduleInput,
  ProjectView,
  ScheduleOverrideView,
  ScheduleView,
} from '@autocoder/shared-contracts';
import {
  debounceTime,
  distinctUntilChanged,
  filter,
  forkJoin,
  merge,
  type Observable,
  Subject,
  switchMap,
} from 'rxjs';
import {
  browserTimeZone,
  describeRule,
  formatInstant,
  formatMinutes,
  fromNow,
} from '../format/schedule-format';
import { ScheduleForm } from '../schedule-form/schedule-form';
import { WeekStrip } from '../week-strip/week-strip';

/** The next start or stop changes only at a window's edge; a minute is soon enough. */
export const SCHEDULES_POLL_MS = 60_000;

interface Snapshot {
  project: ProjectView;
  schedules: ScheduleView[];
}

/** What the schedules last did, in words (ScheduleActionView.outcome). */
const OUTCOMES: Record<string, string> = {
  starting: 'Starting the agents',
  started: 'Started the agents',
  adopted: 'Took over the running agents',
  refused: 'Could not start the agents',
  crashed: 'The agents stopped with a failure; restarting',
  finished: 'The agents finished inside the window',
  stopping: 'Stopping the agents',
  stopped: 'Stopped the agents at the window’s end',
  ended: 'The window ended',
  released: 'Let go of the agents',
  manual_start: 'Started by hand inside the window',
  manual_stop: 'Stopped by hand inside the window',
};

/** Where a schedule's editor is: closed, a new one, or editing one (by id). */
type Editing = null | 'new' | string;

/**
 * A project's schedules (`/projects/:id/schedules`): weekly windows in which the agents run.
 * Each shows its week, its next start and stop (from the api, in the schedule's zone and the
 * browser's), the window holding now and what it last did; a person's start or stop that
 * overrides the windows shows above them. Admins create, edit, turn off and delete schedules;
 * the api's reasons show on the field they concern.
 */
@Component({
  selector: 'ac-schedules-page',
  imports: [RouterLink, ErrorPanel, LoadingIndicator, ProjectNav, ScheduleForm, WeekStrip],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './schedules-page.html',
  styleUrl: './schedules-page.css',
})
export class SchedulesPage {
  private readonly api = inject(AutocoderApi);
  private readonly live = inject(LiveEventsService);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly canChange = inject(AuthSession).canChange;

  /** Route parameter `:id`. */
  readonly id = input.required<string>();

  protected readonly snapshot = signal<Snapshot | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  private readonly reload$ = new Subject<void>();

  protected readonly editing = signal<Editing>(null);
  protected readonly saving = signal(false);
  protected readonly fieldErrors = signal<Partial<Record<string, string>>>({});
  protected readonly saveError = signal<ApiError | undefined>(undefined);
  protected readonly hasFieldErrors = computed(() => Object.keys(this.fieldErrors()).length > 0);
  /** The schedule whose delete waits for confirmation, and one being deleted or toggled. */
  protected readonly confirmingDelete = signal<string | null>(null);
  protected readonly busyId = signal<string | null>(null);
  protected readonly rowError = signal<{ id: string; error: ApiError } | null>(null);
  /** When the page last heard from the api (the "in 3 h" labels count from it). */
  protected readonly now = signal(Date.now());

  protected readonly browserZone = browserTimeZone();

  protected readonly schedules = computed(() => this.snapshot()?.schedules ?? []);

  /** A person's start or stop holds the schedules off (the same on every schedule). */
  protected readonly override = computed<ScheduleOverrideView | null>(
    () => this.schedules().find((s) => s.override)?.override ?? null,
  );
  /** The override lasts until the window holding now ends (else until the next one starts). */
  protected readonly overrideUntilWindowEnd = computed(() => {
    const o = this.override();
    return !!o && this.schedules().some((s) => s.activeWindow?.end === o.until);
  });

  constructor() {
    toObservable(this.id)
      .pipe(
        distinctUntilChanged(),
        switchMap((id) => {
          this.snapshot.set(undefined);
          this.error.set(undefined);
          this.editing.set(null);
          // A window's edge or a person's override: read again at once (a reconnect too).
          const changed$ = this.live.projectStream(id).pipe(
            filter((m) => m.kind !== 'event' || m.event.type.startsWith('schedule.')),
            debounceTime(250),
          );
          return poll(
            () =>
              forkJoin({
                project: this.api.getProject(id),
                schedules: this.api.listSchedules(id),
              }),
            () => SCHEDULES_POLL_MS,
            merge(this.reload$, changed$),
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe((result) => {
        this.now.set(Date.now());
        if (result.ok) {
          this.snapshot.set(result.value);
          this.error.set(undefined);
        } else {
          this.error.set(result.error);
        }
      });
  }

  protected retry(): void {
    this.reload$.next();
  }

  protected describe(s: ScheduleView): string {
    return describeRule(s);
  }

  protected duration(s: ScheduleView): string {
    return formatMinutes(s.durationMinutes);
  }

  /** "Mon 3 Mar, 22:00" in the schedule's zone. */
  protected at(iso: string, s: ScheduleView): string {
    return formatInstant(iso, s.timeZone);
  }

  /** The same instant on the browser's clock, when its zone differs from the schedule's. */
  protected local(iso: string, s: ScheduleView): string | null {
    if (s.timeZone === this.browserZone) return null;
    const here = formatInstant(iso, this.browserZone);
    return here === formatInstant(iso, s.timeZone) ? null : here;
  }

  protected overrideAt(iso: string): string {
    return formatInstant(iso, this.browserZone);
  }

  protected relative(iso: string): string {
    return fromNow(iso, this.now());
  }

  protected outcome(s: ScheduleView): string | null {
    const action = s.lastAction;
    return action ? (OUTCOMES[action.outcome] ?? action.outcome) : null;
  }

  protected startCreating(): void {
    this.openEditor('new');
  }

  protected startEditing(s: ScheduleView): void {
    this.openEditor(s.id);
  }

  protected closeEditor(): void {
    this.editing.set(null);
  }

  private openEditor(which: Editing): void {
    this.fieldErrors.set({});
    this.saveError.set(undefined);
    this.confirmingDelete.set(null);
    this.editing.set(which);
  }

  protected save(input: CreateScheduleInput): void {
    const editing = this.editing();
    if (!editing || this.saving()) return;
    this.saving.set(true);
    this.fieldErrors.set({});
    this.saveError.set(undefined);
    const call =
      editing === 'new'
        ? this.api.createSchedule(this.id(), input)
        : this.api.updateSchedule(this.id(), editing, input);
    call.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (saved) => {
        this.saving.set(false);
        this.editing.set(null);
        this.upsert(saved);
        this.reload$.next();
      },
      error: (err: unknown) => {
        this.saving.set(false);
        const apiError = toApiError(err);
        const byField: Partial<Record<string, string>> = {};
        for (const issue of apiError.issues) byField[issueField(issue)] ??= sentence(issue.message);
        this.fieldErrors.set(byField);
        this.saveError.set(apiError);
      },
    });
  }

  /** Turns a schedule on or off without opening the editor. */
  protected toggle(s: ScheduleView): void {
    this.act(s.id, this.api.updateSchedule(this.id(), s.id, { enabled: !s.enabled }), (saved) =>
      this.upsert(saved),
    );
  }

  protected askDelete(s: ScheduleView): void {
    this.rowError.set(null);
    this.confirmingDelete.set(s.id);
  }

  protected remove(s: ScheduleView): void {
    this.act(s.id, this.api.deleteSchedule(this.id(), s.id), () => {
      this.confirmingDelete.set(null);
      this.snapshot.update((snap) =>
        snap ? { ...snap, schedules: snap.schedules.filter((x) => x.id !== s.id) } : snap,
      );
    });
  }

  private act<T>(id: string, call: Observable<T>, done: (value: T) => void): void {
    if (this.busyId()) return;
    this.busyId.set(id);
    this.rowError.set(null);
    call.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (value) => {
        this.busyId.set(null);
        done(value);
        this.reload$.next();
      },
      error: (err: unknown) => {
        this.busyId.set(null);
        this.rowError.set({ id, error: toApiError(err) });
      },
    });
  }

  /** The api's answer shows at once; the reload follows. */
  private upsert(saved: ScheduleView): void {
    this.now.set(Date.now());
    this.snapshot.update((snap) => {
      if (!snap) return snap;
      const known = snap.schedules.some((x) => x.id === saved.id);
      return {
        ...snap,
        schedules: known
          ? snap.schedules.map((x) => (x.id === saved.id ? saved : x))
          : [...snap.schedules, saved],
      };
    });
  }
}

/** An api reason as a sentence: capital first, full stop last. */
function sentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const first = text[0].toUpperCase() + text.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
