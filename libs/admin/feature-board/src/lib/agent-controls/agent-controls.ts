import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  ElementRef,
  inject,
  Injector,
  input,
  linkedSignal,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ApiError, AuthSession, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel } from '@autocoder/admin-ui';
import type { ProjectActivityState, ProjectView, RunView } from '@autocoder/shared-contracts';
import type { Observable } from 'rxjs';

export type AgentAction = 'initializer' | 'start' | 'pause' | 'resume' | 'stop';

/** What the buttons say while their request is in flight, and once it succeeded. */
const PROGRESS: Record<AgentAction, string> = {
  initializer: 'Starting…',
  start: 'Starting…',
  pause: 'Pausing…',
  resume: 'Resuming…',
  stop: 'Stopping…',
};
const DONE: Record<AgentAction, string> = {
  initializer: 'Initializer queued: it is reading the specification.',
  start: 'Agents started.',
  pause: 'Paused: running sessions finish their turn, no new ones start.',
  resume: 'Resumed.',
  stop: 'Agents stopped.',
};
const FAILED: Record<AgentAction, string> = {
  initializer: 'Could not start the initializer',
  start: 'Could not start the agents',
  pause: 'Could not pause the agents',
  resume: 'Could not resume the agents',
  stop: 'Could not stop the agents',
};

/** Why nothing (or only Stop) can be done in a state, said in words instead of greyed buttons. */
const WHY: Partial<Record<ProjectActivityState, string>> = {
  initializing: 'The initializer is writing the backlog; agents can start once it is done.',
  waiting: 'The agents wait for answers to their questions and resume by themselves once answered.',
  budget: 'The budget is spent. Raise it under Cost to let the agents go on.',
  done: 'Every feature passes: there is nothing left for the agents to do.',
};

export const CONCURRENCY = { min: 1, max: 10 } as const;
export const TESTING_AGENTS = { min: 0, max: 5 } as const;

function inRange(value: number, range: { min: number; max: number }): boolean {
  return Number.isInteger(value) && value >= range.min && value <= range.max;
}

/**
 * The admin's controls over a project's agents: only what can be done in the current state is
 * offered (start, pause, resume, stop, or the initializer on an empty backlog), and otherwise
 * the reason is said. Viewers get nothing here.
 */
@Component({
  selector: 'ac-agent-controls',
  imports: [ErrorPanel],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './agent-controls.html',
  styleUrl: './agent-controls.css',
})
export class AgentControls {
  private readonly api = inject(AutocoderApi);
  private readonly destroyRef = inject(DestroyRef);
  private readonly injector = inject(Injector);
  private readonly stopButton = viewChild<ElementRef<HTMLButtonElement>>('stopButton');
  private readonly keepRunningButton =
    viewChild<ElementRef<HTMLButtonElement>>('keepRunningButton');
  protected readonly canChange = inject(AuthSession).canChange;

  readonly project = input.required<ProjectView>();
  /** The project as the api answered an action, to show at once. */
  readonly changed = output<ProjectView>();
  readonly initializerStarted = output<RunView>();

  protected readonly concurrencyRange = CONCURRENCY;
  protected readonly testingRange = TESTING_AGENTS;

  protected readonly state = computed(() => this.project().activity.state);
  protected readonly busy = signal<AgentAction | null>(null);
  protected readonly done = signal('');
  protected readonly error = signal<{ title: string; error: ApiError } | undefined>(undefined);
  protected readonly confirmingStop = signal(false);

  // Prefilled from the project, and refilled only when the project's own value changes (a poll
  // bringing the same numbers must not overwrite what the admin is typing).
  private readonly savedConcurrency = computed(() => this.project().concurrency);
  private readonly savedTesting = computed(() => this.project().agents.testingAgents ?? 0);
  protected readonly concurrency = linkedSignal(() => this.savedConcurrency());
  protected readonly testingAgents = linkedSignal(() => this.savedTesting());
  protected readonly concurrencyValid = computed(() => inRange(this.concurrency(), CONCURRENCY));
  protected readonly testingValid = computed(() => inRange(this.testingAgents(), TESTING_AGENTS));

  protected readonly canStartInitializer = computed(() => this.state() === 'empty');
  protected readonly canStart = computed(() => this.state() === 'ready');
  protected readonly canPause = computed(() => this.state() === 'running');
  protected readonly canResume = computed(() => this.state() === 'paused');
  protected readonly canStop = computed(() =>
    (['running', 'paused', 'waiting'] as ProjectActivityState[]).includes(this.state()),
  );
  protected readonly why = computed(() => WHY[this.state()] ?? '');

  protected progress(action: AgentAction): string {
    return PROGRESS[action];
  }

  protected readNumber(event: Event): number {
    const value = (event.target as HTMLInputElement).valueAsNumber;
    return Number.isNaN(value) ? Number.NaN : value;
  }

  protected startInitializer(): void {
    this.act('initializer', this.api.startRun(this.project().id, { role: 'initializer' }));
  }

  protected start(): void {
    if (!this.concurrencyValid() || !this.testingValid()) return;
    this.act(
      'start',
      this.api.startAgents(this.project().id, {
        concurrency: this.concurrency(),
        testingAgents: this.testingAgents(),
      }),
    );
  }

  protected pause(): void {
    this.act('pause', this.api.pauseAgents(this.project().id));
  }

  protected resume(): void {
    this.act('resume', this.api.resumeAgents(this.project().id));
  }

  /** The confirmation replaces the Stop button: keyboard focus moves with it, to the safe choice. */
  protected askStop(): void {
    this.confirmingStop.set(true);
    afterNextRender(() => this.keepRunningButton()?.nativeElement.focus(), {
      injector: this.injector,
    });
  }

  protected keepRunning(): void {
    this.confirmingStop.set(false);
    afterNextRender(() => this.stopButton()?.nativeElement.focus(), { injector: this.injector });
  }

  protected stop(): void {
    this.confirmingStop.set(false);
    this.act('stop', this.api.stopAgents(this.project().id));
  }

  private act(action: AgentAction, request: Observable<ProjectView | RunView>): void {
    this.busy.set(action);
    this.done.set('');
    this.error.set(undefined);
    request.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (answer) => {
        this.busy.set(null);
        this.done.set(DONE[action]);
        if (action === 'initializer') this.initializerStarted.emit(answer as RunView);
        else this.changed.emit(answer as ProjectView);
      },
      error: (err: unknown) => {
        this.busy.set(null);
        this.error.set({ title: FAILED[action], error: toApiError(err) });
      },
    });
  }
}
