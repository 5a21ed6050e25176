import { DatePipe, JsonPipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  OnInit,
  signal,
} from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { ApiError, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator } from '@autocoder/admin-ui';
import {
  type AuditEventView,
  type AuditQuery,
  MAX_PAGE_SIZE,
  type Page,
  type ProjectView,
} from '@autocoder/shared-contracts';
import { firstValueFrom } from 'rxjs';

const PAGE_SIZE = 50;

/** datetime-local ("2026-11-25T10:00") as an ISO instant in the browser's zone, or undefined. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The audit trail, for admins: filter, page, look at before/after, download. */
@Component({
  selector: 'ac-audit-page',
  imports: [ReactiveFormsModule, DatePipe, JsonPipe, ErrorPanel, LoadingIndicator],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="page">
      <header class="page-header">
        <div>
          <h1>Audit trail</h1>
          <p class="muted subtitle">
            Every change, who made it and what it was before and after. Entries cannot be edited or
            deleted.
          </p>
        </div>
        <div class="actions">
          <a
            class="btn"
            [href]="exportUrl('csv')"
            download
            data-testid="audit-export-csv"
            aria-label="Download the filtered trail as CSV"
            >CSV</a
          >
          <a
            class="btn"
            [href]="exportUrl('jsonl')"
            download
            data-testid="audit-export-jsonl"
            aria-label="Download the filtered trail as JSON lines"
            >JSON lines</a
          >
        </div>
      </header>

      <form
        class="card filters"
        [formGroup]="filters"
        (ngSubmit)="search()"
        aria-label="Audit filters"
      >
        <label
          >Actor
          <input
            formControlName="actor"
            placeholder="e-mail, token or run id"
            data-testid="audit-filter-actor"
        /></label>
        <label
          >Action
          <input
            formControlName="action"
            placeholder="project.create or feature."
            data-testid="audit-filter-action"
        /></label>
        <label
          >Project
          <select formControlName="projectId" data-testid="audit-filter-project">
            <option value="">all projects</option>
            @for (p of projects(); track p.id) {
              <option [value]="p.id">{{ p.name }}</option>
            }
          </select>
        </label>
        <label
          >From <input type="datetime-local" formControlName="from" data-testid="audit-filter-from"
        /></label>
        <label
          >To <input type="datetime-local" formControlName="to" data-testid="audit-filter-to"
        /></label>
        <div class="filter-actions">
          <button type="submit" class="btn btn-primary" data-testid="audit-filter-submit">
            Filter
          </button>
          <button type="button" class="btn" (click)="reset()">Reset</button>
        </div>
      </form>

      @if (error(); as err) {
        <ac-error-panel
          title="Could not load the audit trail"
          [message]="err.message"
          [requestId]="err.requestId"
          [retryable]="true"
          (retry)="reload()"
        />
      }

      @if (page(); as p) {
        <!-- Focusable so that a keyboard can scroll the table sideways on a narrow screen. -->
        <div class="card table-card" tabindex="0" role="region" aria-label="Audit events">
          <table class="data">
            <thead>
              <tr>
                <th>Time</th>
                <th>Actor</th>
                <th>Role</th>
                <th>Action</th>
                <th>Target</th>
                <th>Project</th>
                <th>Request</th>
                <th><span class="visually-hidden">Details</span></th>
              </tr>
            </thead>
            <tbody>
              @for (e of p.items; track e.id) {
                <tr
                  data-testid="audit-row"
                  class="row"
                  [class.open]="open() === e.id"
                  (click)="toggle(e.id)"
                >
                  <td class="nowrap">{{ e.at | date: 'medium' }}</td>
                  <td>
                    {{ e.actorLabel ?? e.actorId ?? e.actorType }}
                    <span class="muted">({{ e.actorType }})</span>
                  </td>
                  <td>{{ e.role ?? '—' }}</td>
                  <td>
                    <code>{{ e.action }}</code>
                  </td>
                  <td>
                    {{ e.targetType }}
                    @if (e.targetId) {
                      <code class="muted">{{ e.targetId }}</code>
                    }
                  </td>
                  <td>{{ projectName(e.projectId) }}</td>
                  <td>
                    @if (e.requestId) {
                      <code class="muted">{{ e.requestId }}</code>
                    }
                  </td>
                  <td>
                    <button
                      type="button"
                      class="btn btn-small"
                      data-testid="audit-row-toggle"
                      [attr.aria-expanded]="open() === e.id"
                      [attr.aria-controls]="'audit-detail-' + e.id"
                      (click)="$event.stopPropagation(); toggle(e.id)"
                    >
                      {{ open() === e.id ? 'Hide' : 'Details' }}
                    </button>
                  </td>
                </tr>
                @if (open() === e.id) {
                  <tr class="detail" [id]="'audit-detail-' + e.id" data-testid="audit-detail">
                    <td colspan="8">
                      <div class="diff">
                        <div>
                          <h3>Before</h3>
                          <pre>{{ e.before | json }}</pre>
                        </div>
                        <div>
                          <h3>After</h3>
                          <pre>{{ e.after | json }}</pre>
                        </div>
                      </div>
                    </td>
                  </tr>
                }
              } @empty {
                <tr>
                  <td colspan="8" class="muted">No events match.</td>
                </tr>
              }
            </tbody>
          </table>
          <nav class="pager" aria-label="Audit pages">
            <span class="muted">{{ rangeLabel() }}</span>
            <button
              type="button"
              class="btn btn-small"
              data-testid="audit-previous"
              [disabled]="offset() === 0"
              (click)="go(-1)"
            >
              Previous
            </button>
            <button
              type="button"
              class="btn btn-small"
              data-testid="audit-next"
              [disabled]="!hasNext()"
              (click)="go(1)"
            >
              Next
            </button>
          </nav>
        </div>
      } @else if (!error()) {
        <ac-loading text="Loading the audit trail…" />
      }
    </section>
  `,
  styles: `
    .subtitle {
      margin: 0.25rem 0 0;
    }
    .actions,
    .filter-actions {
      display: flex;
      gap: 0.6rem;
      align-items: center;
    }
    .filters {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem;
      align-items: end;
      padding: 0.75rem 1rem;
    }
    .filters label {
      display: grid;
      gap: 0.2rem;
      font-size: 0.85rem;
      font-weight: 600;
    }
    .filters input,
    .filters select {
      padding: 0.45rem 0.6rem;
      border: 1px solid var(--ac-border-strong);
      border-radius: 8px;
      background: var(--ac-input-bg);
      color: inherit;
      font: inherit;
      font-weight: 400;
    }
    .table-card {
      padding: 0.25rem 0;
      overflow-x: auto;
      /* Holds its visually hidden headers, so they do not widen the page. */
      position: relative;
    }
    .row {
      cursor: pointer;
    }
    .row:hover td,
    .row.open td {
      background: var(--ac-surface-muted);
    }
    .nowrap {
      white-space: nowrap;
    }
    .detail td {
      background: var(--ac-surface-muted);
    }
    .diff {
      display: grid;
      grid-template-columns: 1fr 1fr;
      gap: 1rem;
    }
    h3 {
      font-size: 0.85rem;
      margin-bottom: 0.3rem;
    }
    pre {
      margin: 0;
      white-space: pre-wrap;
      word-break: break-word;
      font-size: 0.8rem;
      background: var(--ac-surface-sunken);
      border-radius: 6px;
      padding: 0.5rem;
    }
    .pager {
      display: flex;
      justify-content: flex-end;
      align-items: center;
      gap: 0.5rem;
      padding: 0.6rem 0.75rem 0.4rem;
      border-top: 1px solid var(--ac-border);
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
  `,
})
export class AuditPage implements OnInit {
  private readonly api = inject(AutocoderApi);

  protected readonly filters = new FormGroup({
    actor: new FormControl('', { nonNullable: true }),
    action: new FormControl('', { nonNullable: true }),
    projectId: new FormControl('', { nonNullable: true }),
    from: new FormControl('', { nonNullable: true }),
    to: new FormControl('', { nonNullable: true }),
  });
  protected readonly projects = signal<ProjectView[]>([]);
  protected readonly page = signal<Page<AuditEventView> | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  protected readonly offset = signal(0);
  protected readonly open = signal<string | undefined>(undefined);
  /** The filters as last applied (paging and downloads use these, not half-typed ones). */
  private readonly applied = signal<Partial<AuditQuery>>({});

  protected readonly hasNext = computed(() => {
    const p = this.page();
    return p !== undefined && p.offset + p.items.length < p.total;
  });
  protected readonly rangeLabel = computed(() => {
    const p = this.page();
    if (!p || p.total === 0) return '0 events';
    return `${p.offset + 1}–${p.offset + p.items.length} of ${p.total}`;
  });

  ngOnInit(): void {
    void this.load();
    // For the project filter and column; without it the column shows ids.
    this.api.listProjects({ limit: MAX_PAGE_SIZE }).subscribe({
      next: (page) => this.projects.set(page.items),
      error: () => this.projects.set([]),
    });
  }

  protected projectName(id: string | null): string {
    if (!id) return '—';
    return this.projects().find((p) => p.id === id)?.name ?? id;
  }

  protected search(): void {
    const v = this.filters.getRawValue();
    const from = isoOf(v.from);
    const to = isoOf(v.to);
    this.applied.set({
      ...(v.actor.trim() ? { actor: v.actor.trim() } : {}),
      ...(v.action.trim() ? { action: v.action.trim() } : {}),
      ...(v.projectId ? { projectId: v.projectId } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    });
    this.offset.set(0);
    this.open.set(undefined);
    void this.load();
  }

  protected reset(): void {
    this.filters.reset();
    this.search();
  }

  protected reload(): void {
    void this.load();
  }

  protected go(direction: 1 | -1): void {
    this.offset.set(Math.max(0, this.offset() + direction * PAGE_SIZE));
    this.open.set(undefined);
    void this.load();
  }

  protected toggle(id: string): void {
    this.open.set(this.open() === id ? undefined : id);
  }

  protected exportUrl(format: 'csv' | 'jsonl'): string {
    return this.api.auditExportUrl({ ...this.applied(), format });
  }

  private async load(): Promise<void> {
    try {
      this.page.set(
        await firstValueFrom(
          this.api.listAuditEvents({ ...this.applied(), limit: PAGE_SIZE, offset: this.offset() }),
        ),
      );
      this.error.set(undefined);
    } catch (err) {
      this.error.set(toApiError(err));
    }
  }
}
