import { A11yModule } from '@angular/cdk/a11y';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  input,
  OnInit,
  output,
  signal,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ApiError, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator } from '@autocoder/admin-ui';
import type { ProjectDeletePreviewView, ProjectView } from '@autocoder/shared-contracts';

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * Confirms deleting a project: names what goes with it (asked from the api) and wants the
 * project's name typed before the delete button works. Escape or Cancel closes it.
 */
@Component({
  selector: 'ac-delete-project',
  imports: [A11yModule, ErrorPanel, LoadingIndicator],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './delete-project.html',
  styleUrl: './delete-project.css',
  host: { '(document:keydown.escape)': 'cancel()' },
})
export class DeleteProject implements OnInit {
  readonly project = input.required<ProjectView>();
  readonly cancelled = output<void>();
  readonly deleted = output<void>();

  private readonly api = inject(AutocoderApi);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly preview = signal<ProjectDeletePreviewView | null>(null);
  protected readonly error = signal<ApiError | null>(null);
  protected readonly typed = signal('');
  protected readonly busy = signal(false);

  protected readonly matches = computed(() => this.typed().trim() === this.project().name);
  protected readonly items = computed(() => {
    const p = this.preview();
    if (!p) return [];
    return [
      plural(p.features, 'feature', 'features'),
      plural(p.runs, 'run with its log and usage', 'runs with their logs and usage'),
      plural(p.conversations, 'conversation', 'conversations'),
      plural(p.schedules, 'schedule', 'schedules'),
    ];
  });
  protected readonly canDelete = computed(
    () => this.matches() && !this.busy() && (this.preview()?.activeRuns ?? 1) === 0,
  );

  ngOnInit(): void {
    this.loadPreview();
  }

  protected loadPreview(): void {
    this.error.set(null);
    this.api
      .getDeletePreview(this.project().id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (p) => this.preview.set(p),
        error: (err: unknown) => this.error.set(toApiError(err)),
      });
  }

  protected cancel(): void {
    if (!this.busy()) this.cancelled.emit();
  }

  protected confirm(): void {
    if (!this.canDelete()) return;
    this.busy.set(true);
    this.error.set(null);
    this.api
      .deleteProject(this.project().id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => this.deleted.emit(),
        error: (err: unknown) => {
          this.busy.set(false);
          this.error.set(toApiError(err));
        },
      });
  }
}
