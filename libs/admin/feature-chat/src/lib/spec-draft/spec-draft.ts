import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import { Router } from '@angular/router';
import {
  type ApiError,
  AuthSession,
  AutocoderApi,
  toApiError,
} from '@autocoder/admin-data-access-api';
import { ErrorPanel } from '@autocoder/admin-ui';
import type { ProjectView } from '@autocoder/shared-contracts/plain';
import { firstValueFrom } from 'rxjs';
import { MarkdownView } from '../markdown/markdown-view';
import type { SpecDraft } from '../outcomes/chat-outcomes';

/**
 * The end of a spec writer conversation: the specification the assistant produced, and the one
 * click that makes it the project's. A project without a backlog yet (one started from "New
 * project") is created from it: the spec is saved and the initializer turns it into features.
 * A project that has a backlog only gets its spec replaced.
 */
@Component({
  selector: 'ac-spec-draft',
  imports: [ErrorPanel, MarkdownView],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './spec-draft.html',
  styleUrl: './spec-draft.css',
})
export class SpecDraftPanel {
  readonly project = input.required<ProjectView>();
  readonly draft = input.required<SpecDraft>();
  readonly saved = output<ProjectView>();

  private readonly api = inject(AutocoderApi);
  private readonly router = inject(Router);
  protected readonly canChange = inject(AuthSession).canChange;

  protected readonly busy = signal(false);
  protected readonly error = signal<ApiError | null>(null);
  protected readonly done = signal(false);

  /** Nothing built yet: this spec starts the project (initializer); else it replaces the spec. */
  protected readonly creates = computed(
    () => this.project().total === 0 && this.project().status === 'idle',
  );
  protected readonly current = computed(() => this.project().spec === this.draft().spec);

  protected async apply(): Promise<void> {
    const project = this.project();
    this.busy.set(true);
    this.error.set(null);
    try {
      const updated = await firstValueFrom(
        this.api.updateProject(project.id, { spec: this.draft().spec }),
      );
      this.saved.emit(updated);
      if (this.creates()) {
        await firstValueFrom(this.api.startRun(project.id, { role: 'initializer' }));
        await this.router.navigate(['/projects', project.id]);
        return;
      }
      this.done.set(true);
    } catch (err) {
      this.error.set(toApiError(err));
    } finally {
      this.busy.set(false);
    }
  }
}
