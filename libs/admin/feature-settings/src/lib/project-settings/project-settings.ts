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
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router, RouterLink } from '@angular/router';
import {
  ApiError,
  AuthSession,
  AutocoderApi,
  ProviderCatalog,
  toApiError,
} from '@autocoder/admin-data-access-api';
import {
  ErrorPanel,
  LoadingIndicator,
  ModelPicker,
  ModelPickerValue,
  ProjectNav,
  ProviderBadge,
  providerName,
} from '@autocoder/admin-ui';
import { type ProjectView, UpdateProjectSchema } from '@autocoder/shared-contracts';
import { DeleteProject } from '../delete-project/delete-project';
import { ProjectRemote } from '../project-remote/project-remote';
import { fieldOf, formOf, payloadOf, SettingsField, SettingsForm } from './settings-form';

type TextField = Exclude<SettingsField, 'coding' | 'testing'>;

/** The limits the api applies, repeated as input attributes so the browser helps early. */
export const LIMITS = {
  concurrency: [1, 10],
  testingAgents: [0, 5],
  warnPercent: [1, 99],
} as const;

/**
 * A project's settings on one page, saved with one PATCH; the api's field errors show on their
 * fields. Viewers read it all, with nothing to save or delete.
 */
@Component({
  selector: 'ac-project-settings',
  imports: [
    RouterLink,
    ErrorPanel,
    LoadingIndicator,
    ModelPicker,
    ProjectNav,
    ProviderBadge,
    DeleteProject,
    ProjectRemote,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './project-settings.html',
  styleUrl: './project-settings.css',
})
export class ProjectSettings {
  /** The project id (route parameter). */
  readonly id = input.required<string>();

  private readonly api = inject(AutocoderApi);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly catalog = inject(ProviderCatalog);
  protected readonly refreshing = signal(false);

  /** POST /providers/refresh: the api asks the providers again instead of its cached list. */
  protected async refreshProviders(): Promise<void> {
    this.refreshing.set(true);
    try {
      await this.catalog.reload(true);
    } finally {
      this.refreshing.set(false);
    }
  }
  protected readonly canChange = inject(AuthSession).canChange;
  protected readonly limits = LIMITS;
  protected readonly promptFields: readonly { field: TextField; label: string }[] = [
    { field: 'codingSystem', label: 'Coding: system prompt' },
    { field: 'codingTask', label: 'Coding: task prompt' },
    { field: 'testingSystem', label: 'Testing: system prompt' },
    { field: 'testingTask', label: 'Testing: task prompt' },
  ];

  protected readonly project = signal<ProjectView | null>(null);
  protected readonly loadError = signal<ApiError | null>(null);
  protected readonly form = signal<SettingsForm | null>(null);
  private readonly saved = signal<SettingsForm | null>(null);
  protected readonly saving = signal(false);
  protected readonly saveError = signal<ApiError | null>(null);
  protected readonly errors = signal<Partial<Record<SettingsField, string>>>({});
  /** Issues the form has no field for. */
  protected readonly otherIssues = signal<string[]>([]);
  protected readonly status = signal('');
  protected readonly deleting = signal(false);

  protected readonly dirty = computed(
    () => JSON.stringify(this.form()) !== JSON.stringify(this.saved()),
  );
  /** What the coding agents run on, as the project header shows it. */
  protected readonly badge = computed(() => {
    const p = this.project();
    return p ? this.catalog.effective(p.agents) : null;
  });
  protected readonly defaultHint = computed(() => {
    const active = this.catalog.list()?.active;
    return active ? `${providerName(active.provider)} · ${active.model}` : '';
  });
  protected readonly codingHint = computed(() => {
    const c = this.form()?.coding;
    return c?.provider
      ? `${providerName(c.provider)} · ${c.model ?? 'its default model'}`
      : this.defaultHint();
  });

  constructor() {
    void this.catalog.ensure();
    effect(() => {
      const id = this.id();
      untracked(() => this.load(id));
    });
  }

  protected load(id = this.id()): void {
    this.loadError.set(null);
    this.api
      .getProject(id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (project) => this.reset(project),
        error: (err: unknown) => this.loadError.set(toApiError(err)),
      });
  }

  private reset(project: ProjectView): void {
    const form = formOf(project);
    this.project.set(project);
    this.form.set(form);
    this.saved.set(form);
    this.errors.set({});
    this.otherIssues.set([]);
  }

  protected text(field: TextField): string {
    return this.form()?.[field] ?? '';
  }

  protected edit(field: TextField, value: string): void {
    this.patch({ [field]: value }, field);
  }

  protected pick(field: 'coding' | 'testing', value: ModelPickerValue): void {
    this.patch({ [field]: value }, field);
  }

  private patch(change: Partial<SettingsForm>, field: SettingsField): void {
    const form = this.form();
    if (!form) return;
    this.form.set({ ...form, ...change });
    this.status.set('');
    if (this.errors()[field]) {
      const { [field]: _, ...rest } = this.errors();
      this.errors.set(rest);
    }
  }

  protected discard(): void {
    const project = this.project();
    if (project) this.reset(project);
    this.saveError.set(null);
    this.status.set('');
  }

  protected save(): void {
    const form = this.form();
    if (!form || !this.canChange() || this.saving()) return;
    this.saveError.set(null);
    this.status.set('');
    const parsed = UpdateProjectSchema.safeParse(payloadOf(form));
    if (!parsed.success) {
      this.showIssues(parsed.error.issues.map((i) => ({ path: i.path, message: i.message })));
      this.status.set('Fix the fields marked in red.');
      return;
    }
    this.saving.set(true);
    this.api
      .updateProject(this.id(), parsed.data)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (project) => {
          this.saving.set(false);
          this.reset(project);
          this.status.set('Saved.');
        },
        error: (err: unknown) => {
          const error = toApiError(err);
          this.saving.set(false);
          this.saveError.set(error);
          this.showIssues(error.issues);
        },
      });
  }

  private showIssues(issues: { path: readonly PropertyKey[] | string; message: string }[]): void {
    const errors: Partial<Record<SettingsField, string>> = {};
    const other: string[] = [];
    for (const issue of issues) {
      const path =
        typeof issue.path === 'string' ? issue.path : issue.path.map((p) => String(p)).join('.');
      const field = fieldOf(path);
      const message = sentence(issue.message);
      if (field) errors[field] ??= message;
      else other.push(`${path || 'request'}: ${message}`);
    }
    this.errors.set(errors);
    this.otherIssues.set(other);
  }

  protected deleted(): void {
    void this.router.navigate(['/projects']);
  }
}

/** Zod's wording starts in lower case; a field's message reads better as a sentence. */
function sentence(message: string): string {
  if (/^expected number, received NaN$/i.test(message)) return 'A number is required';
  if (/^Invalid input: expected number, received NaN$/i.test(message))
    return 'A number is required';
  return message.charAt(0).toUpperCase() + message.slice(1);
}
