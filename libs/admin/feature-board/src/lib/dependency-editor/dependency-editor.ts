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
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { StatusBadge } from '@autocoder/admin-ui';
import type { FeatureDetailView, FeatureRefView, FeatureView } from '@autocoder/shared-contracts';
import { MAX_DEPENDENCIES_PER_FEATURE } from '@autocoder/shared-contracts/plain';
import type { Observable } from 'rxjs';
import { FeatureSearch } from '../feature-search/feature-search';
import { dependencyProblem } from './dependency-errors';

let nextEditorId = 0;

/**
 * The features one feature depends on, in its side panel. Admins add one through a search by
 * name and remove one with its ✕; the api's refusal (a cycle, naming its features; the limit)
 * shows right under the search, tied to it for screen readers.
 */
@Component({
  selector: 'ac-dependency-editor',
  imports: [RouterLink, StatusBadge, FeatureSearch],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let f = feature();
    <ul class="refs" data-testid="feature-dependencies">
      @for (d of f.dependencies; track d.id) {
        <li>
          <a [routerLink]="featureLink(d.id)">{{ d.name }}</a>
          <ac-status-badge [status]="d.status" />
          @if (canChange()) {
            <button
              type="button"
              class="remove"
              data-testid="dependency-remove"
              [attr.aria-label]="'Remove the dependency on ' + d.name"
              [title]="'Remove the dependency on ' + d.name"
              [disabled]="busy()"
              (click)="remove(d)"
            >
              ✕
            </button>
          }
        </li>
      } @empty {
        <li class="muted">Nothing</li>
      }
    </ul>
    @if (canChange()) {
      <div class="add" data-testid="dependency-add">
        @if (atLimit()) {
          <p class="muted note">
            At the limit of {{ limit }} dependencies: remove one to add another.
          </p>
        } @else {
          <ac-feature-search
            label="Add a dependency"
            [projectId]="projectId()"
            [exclude]="excluded()"
            [invalid]="!!problem()"
            [describedBy]="problem() ? errorId : null"
            (picked)="add($event)"
          />
        }
        @if (busy()) {
          <p class="muted note" role="status">Saving…</p>
        }
        @if (problem(); as message) {
          <p class="problem" role="alert" [id]="errorId" data-testid="dependency-error">
            {{ message }}
          </p>
        }
      </div>
    }
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      gap: 0.6rem;
      min-width: 0;
    }
    .refs {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    .refs li {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      min-width: 0;
      padding: 0.25rem 0;
      border-bottom: 1px solid var(--ac-divider);
    }
    .refs ac-status-badge {
      margin-left: auto;
    }
    .refs a {
      min-width: 0;
      overflow-wrap: anywhere;
    }
    .remove {
      flex: none;
      width: 1.75rem;
      height: 1.75rem;
      border: 1px solid var(--ac-border);
      border-radius: 6px;
      background: var(--ac-surface);
      color: var(--ac-muted);
      font: inherit;
      cursor: pointer;
    }
    .remove:hover {
      color: var(--ac-danger);
      border-color: var(--ac-danger-border);
    }
    .add {
      display: flex;
      flex-direction: column;
      gap: 0.4rem;
    }
    .note {
      margin: 0;
      font-size: 0.85rem;
    }
    .problem {
      margin: 0;
      padding: 0.5rem 0.65rem;
      border: 1px solid var(--ac-danger-border);
      border-left: 4px solid var(--ac-status-failing);
      border-radius: 6px;
      background: var(--ac-danger-bg);
      color: var(--ac-danger-fg);
      font-size: 0.9rem;
      overflow-wrap: anywhere;
    }
  `,
})
export class DependencyEditor {
  private readonly api = inject(AutocoderApi);
  private readonly destroyRef = inject(DestroyRef);

  readonly projectId = input.required<string>();
  /** The page the panel is over (board or graph): a dependency opens on that same page. */
  readonly host = input<readonly string[] | null>(null);

  protected featureLink(featureId: string): string[] {
    return [...(this.host() ?? ['/projects', this.projectId()]), 'features', featureId];
  }
  readonly feature = input.required<FeatureDetailView>();
  readonly canChange = input(false);
  /** A dependency was added or removed: the panel reads the feature again. */
  readonly changed = output<FeatureView>();

  protected readonly limit = MAX_DEPENDENCIES_PER_FEATURE;
  protected readonly errorId = `ac-dependency-error-${nextEditorId++}`;
  protected readonly busy = signal(false);
  protected readonly problem = signal<string | null>(null);

  protected readonly excluded = computed(() => {
    const f = this.feature();
    return [f.id, ...f.dependencies.map((d) => d.id)];
  });
  protected readonly atLimit = computed(
    () => this.feature().dependencies.length >= MAX_DEPENDENCIES_PER_FEATURE,
  );

  protected add(candidate: FeatureRefView): void {
    const f = this.feature();
    this.send(this.api.addDependency(this.projectId(), f.id, candidate.id), candidate.name);
  }

  protected remove(dependency: FeatureRefView): void {
    const f = this.feature();
    this.send(this.api.removeDependency(this.projectId(), f.id, dependency.id));
  }

  private send(call: Observable<FeatureView>, candidate?: string): void {
    if (this.busy()) return;
    this.busy.set(true);
    this.problem.set(null);
    call.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (view) => {
        this.busy.set(false);
        this.changed.emit(view);
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.problem.set(dependencyProblem(toApiError(err), candidate));
      },
    });
  }
}
