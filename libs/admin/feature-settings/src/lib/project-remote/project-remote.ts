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
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ApiError, AuthSession, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator } from '@autocoder/admin-ui';
import { type ProjectRemoteView, SetProjectRemoteSchema } from '@autocoder/shared-contracts';

type RemoteField = 'url' | 'username' | 'credential';
const FIELDS: readonly RemoteField[] = ['url', 'username', 'credential'];

/**
 * Where the project's canonical git repository lives (the bundled git server or the project's
 * own remote) and, for admins, moving it: the api carries main along and refuses (shown here)
 * while agents run, when the remote cannot be reached or when its main went elsewhere. The
 * credential field is never filled in: the api never gives a credential back.
 */
@Component({
  selector: 'ac-project-remote',
  imports: [DatePipe, ErrorPanel, LoadingIndicator],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './project-remote.html',
  styleUrl: './project-remote.css',
})
export class ProjectRemote {
  readonly projectId = input.required<string>();

  private readonly api = inject(AutocoderApi);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly canChange = inject(AuthSession).canChange;

  protected readonly view = signal<ProjectRemoteView | null>(null);
  protected readonly loadError = signal<ApiError | null>(null);
  protected readonly url = signal('');
  protected readonly username = signal('');
  protected readonly credential = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<ApiError | null>(null);
  protected readonly errors = signal<Partial<Record<RemoteField, string>>>({});
  protected readonly status = signal('');

  constructor() {
    effect(() => {
      const id = this.projectId();
      untracked(() => this.load(id));
    });
  }

  protected load(id = this.projectId()): void {
    this.loadError.set(null);
    this.api
      .getProjectRemote(id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (view) => this.show(view),
        error: (err: unknown) => this.loadError.set(toApiError(err)),
      });
  }

  private show(view: ProjectRemoteView): void {
    this.view.set(view);
    this.url.set(view.kind === 'own' ? view.url : '');
    this.username.set(view.username ?? '');
    this.credential.set('');
    this.errors.set({});
  }

  protected edit(field: RemoteField, value: string): void {
    ({ url: this.url, username: this.username, credential: this.credential })[field].set(value);
    this.status.set('');
    if (this.errors()[field]) {
      const rest = { ...this.errors() };
      delete rest[field];
      this.errors.set(rest);
    }
  }

  protected save(): void {
    if (!this.canChange() || this.busy()) return;
    this.error.set(null);
    this.status.set('');
    // An empty credential field keeps the stored credential (same host), as the api does.
    const parsed = SetProjectRemoteSchema.safeParse({
      url: this.url(),
      ...(this.username().trim() && { username: this.username() }),
      ...(this.credential() && { credential: this.credential() }),
    });
    if (!parsed.success) {
      this.showIssues(
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
      return;
    }
    this.run(
      this.api.setProjectRemote(this.projectId(), parsed.data),
      (view) => `Saved: the repository now lives at ${view.url}.`,
    );
  }

  protected moveBack(): void {
    if (!this.canChange() || this.busy()) return;
    this.error.set(null);
    this.status.set('');
    this.run(
      this.api.clearProjectRemote(this.projectId()),
      () => 'Moved back to the bundled git server.',
    );
  }

  private run(
    request: ReturnType<AutocoderApi['getProjectRemote']>,
    done: (view: ProjectRemoteView) => string,
  ): void {
    this.busy.set(true);
    request.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (view) => {
        this.busy.set(false);
        this.show(view);
        this.status.set(done(view));
      },
      error: (err: unknown) => {
        const error = toApiError(err);
        this.busy.set(false);
        this.credential.set('');
        this.error.set(error);
        this.showIssues(error.issues);
      },
    });
  }

  private showIssues(issues: { path: string; message: string }[]): void {
    const errors: Partial<Record<RemoteField, string>> = {};
    for (const issue of issues) {
      const field = FIELDS.find((f) => issue.path === f || issue.path === `body.${f}`);
      if (field) errors[field] ??= issue.message.charAt(0).toUpperCase() + issue.message.slice(1);
    }
    this.errors.set(errors);
  }
}
