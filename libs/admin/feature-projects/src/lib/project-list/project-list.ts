import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { Router, RouterLink } from '@angular/router';
import {
  ApiError,
  AuthSession,
  AutocoderApi,
  poll,
  ProviderCatalog,
  type ProviderModel,
} from '@autocoder/admin-data-access-api';
import {
  ErrorPanel,
  LoadingIndicator,
  ProgressBar,
  ProviderBadge,
  StatusBadge,
} from '@autocoder/admin-ui';
import type { Page, ProjectView } from '@autocoder/shared-contracts';
import {
  combineLatest,
  debounceTime,
  distinctUntilChanged,
  startWith,
  Subject,
  switchMap,
} from 'rxjs';

/** Projects change slowly from this page's point of view; the board page polls faster. */
const REFRESH_MS = 10_000;
const SEARCH_DEBOUNCE_MS = 250;

@Component({
  selector: 'ac-project-list',
  imports: [
    RouterLink,
    DatePipe,
    StatusBadge,
    ProgressBar,
    ErrorPanel,
    LoadingIndicator,
    ProviderBadge,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './project-list.html',
  styleUrl: './project-list.css',
})
export class ProjectList {
  private readonly api = inject(AutocoderApi);
  private readonly router = inject(Router);
  private readonly reload$ = new Subject<void>();
  /** Viewers see no create controls (the api would refuse them anyway). */
  protected readonly canChange = inject(AuthSession).canChange;
  private readonly catalog = inject(ProviderCatalog);

  protected readonly pageSize = 25;
  protected readonly search = signal('');
  protected readonly offset = signal(0);
  protected readonly page = signal<Page<ProjectView> | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);

  /** What the project's coding agents run on (its choice, or the deployment's default). */
  protected providerOf(project: ProjectView): ProviderModel | null {
    return this.catalog.effective(project.agents ?? {});
  }

  constructor() {
    const q$ = toObservable(this.search).pipe(
      debounceTime(SEARCH_DEBOUNCE_MS),
      startWith(''),
      distinctUntilChanged(),
    );
    combineLatest([q$, toObservable(this.offset)])
      .pipe(
        switchMap(([q, offset]) =>
          poll(
            () => this.api.listProjects({ q, offset, limit: this.pageSize }),
            () => REFRESH_MS,
            this.reload$,
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((result) => {
        if (result.ok) {
          this.page.set(result.value);
          this.error.set(undefined);
        } else {
          this.error.set(result.error);
        }
      });
  }

  protected onSearch(value: string): void {
    this.search.set(value);
    this.offset.set(0);
  }

  protected retry(): void {
    this.reload$.next();
  }

  protected open(project: ProjectView): void {
    void this.router.navigate(['/projects', project.id]);
  }

  protected turnPage(direction: -1 | 1): void {
    const next = this.offset() + direction * this.pageSize;
    this.offset.set(Math.max(0, next));
  }
}
