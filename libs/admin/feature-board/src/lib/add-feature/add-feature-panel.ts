import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  inject,
  input,
  signal,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router } from '@angular/router';
import {
  type ApiError,
  AuthSession,
  AutocoderApi,
  issueField,
  toApiError,
} from '@autocoder/admin-data-access-api';
import { ErrorPanel } from '@autocoder/admin-ui';
import type { CreateFeatureInput } from '@autocoder/shared-contracts';
import { closePanel } from '../panel-route/panel-route';
import { SidePanel } from '../side-panel/side-panel';
import { FeatureCreateForm } from './feature-create-form';

/**
 * "Add feature" (`/projects/:id/features/new`), in the side panel over the board. Once the api
 * accepts it the panel shows the new feature; the board picks it up from the live event.
 */
@Component({
  selector: 'ac-add-feature-panel',
  imports: [SidePanel, ErrorPanel, FeatureCreateForm],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ac-side-panel kicker="Backlog" heading="Add a feature" (closed)="close()">
      @if (canChange()) {
        @if (error(); as err) {
          <ac-error-panel
            title="The feature was not added"
            [message]="err.message"
            [requestId]="err.requestId"
          />
        }
        <ac-feature-create-form
          [projectId]="projectId()"
          [busy]="saving()"
          [fieldErrors]="fieldErrors()"
          (saved)="create($event)"
          (cancelled)="close()"
        />
      } @else {
        <p class="muted">Only an admin can add features.</p>
      }
    </ac-side-panel>
  `,
  styles: `
    :host {
      display: contents;
    }
    ac-error-panel {
      display: block;
      margin-bottom: 1rem;
    }
  `,
})
export class AddFeaturePanel {
  /** Route data (see projectIdResolver). */
  readonly projectId = input.required<string>();

  private readonly api = inject(AutocoderApi);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly canChange = inject(AuthSession).canChange;

  protected readonly saving = signal(false);
  protected readonly error = signal<ApiError | undefined>(undefined);
  protected readonly fieldErrors = signal<Partial<Record<string, string>>>({});

  protected close(): void {
    closePanel(this.router, this.projectId());
  }

  protected create(input: CreateFeatureInput): void {
    if (this.saving()) return;
    this.saving.set(true);
    this.error.set(undefined);
    this.fieldErrors.set({});
    this.api
      .createFeature(this.projectId(), input)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (created) => {
          this.saving.set(false);
          void this.router.navigate(['/projects', this.projectId(), 'features', created.id], {
            queryParamsHandling: 'preserve',
          });
        },
        error: (err: unknown) => {
          this.saving.set(false);
          const apiError = toApiError(err);
          const byField: Partial<Record<string, string>> = {};
          for (const issue of apiError.issues) byField[issueField(issue)] ??= issue.message;
          this.fieldErrors.set(byField);
          this.error.set(apiError);
        },
      });
  }
}
