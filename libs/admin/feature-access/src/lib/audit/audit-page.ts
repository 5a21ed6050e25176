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
import { ErrorPanel } from '@autocoder/admin-ui';
import type { AuditEventView, AuditQuery, Page } from '@autocoder/shared-contracts';
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
  imports: [ReactiveFormsModule, DatePipe, JsonPipe, ErrorPanel],
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
          <a class="btn" [href]="exportUrl('csv')" download data-testid="audit-export-csv">CSV</a>
          <a class="btn" [href]="exportUrl('jsonl')" download data-testid="audit-export-jsonl"
            >JSON lines</a
          >
        </div>
      </header>

      <form class="card filters" [formGroup]="filters" (ngSubmit)="search()">
        <label>Actor <input formControlName="actor" placeholder="e-mail, token or run id" /></label>
        <label
          >Action
          <input
            formControlName="action"
            placeholder="project.create or feature."
            data-testid="audit-filter-action"
        /></label>
        <label>From <input type="datetime-local" formControlName="from" /></label>
        <label>To <input type="datetime-local" formControlName="to" /></label>
        <button type="submit" class="btn btn-primary">Filter</button>
      </form>

      @if (error(); as err) {
        <ac-error-panel title="Audit trail" [message]="err.message" [requestId]="err.requestId" />
      }

      @if (page(); as p) {
        <div class="card table-card">
          <table class="data">
            <thead>
              <tr>
                <th>Time</th>
                <th>Actor</th>
                <th>Role</th>
                <th>Action</th>
                <th>Target</th>
                <th>Request</th>
              </tr>
            </thead>
            <tbody>
              @for (e of p.items; track e.id) {
                <tr data-testid="audit-row" class="row" (click)="toggle(e.id)">
                  <td>{{ e.at | date: 'medium' }}</td>
                  <td>
                    {{ e.actorLabel ?? e.actorId ?? e.actorType }}
                    <span class="muted">({{ e.actorType }})</span>
                  </td>
                  <td>{{ e.role ?? '—' }}</td>
                  <td>
                    <code>{{ e.action }}</code>
                  </td>
                  <td>{{ e.targetType }} {{ e.targetId ?? '' }}</td>
                  <td class="muted">{{ e.requestId ?? '' }}</td>
                </tr>
                @if (open() === e.id) {
                  <tr class="detail">
                    <td colspan="6">
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
                  <td colspan="6" class="muted">No events match.</td>
                </tr>
              }
            </tbody>
          </table>
        </div>
        <nav class="pager">
          <button type="button" class="btn" [disabled]="offset() === 0" (click)="go(-1)">
            Previous
          </button>
          <span class="muted">{{ rangeLabel() }}</span>
          <button
            type="button"
            class="btn"
            data-testid="audit-next"
            [disabled]="!hasNext()"
            (click)="go(1)"
          >
            Next
          </button>
        </nav>
      }
    </section>
  `,
  styles: `
    .filters {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem;
      align-items: end;
      padding: 0.75rem 1rem;
      margin-bottom: 1rem;
    }
    .filters label {
      display: grid;
      gap: 0.2rem;
      font-size: 0.85rem;
    }
    .row {
      cursor: pointer;
    }
    .diff {
      display: grid;
      grid-template-columns: 1fr 1fr;
      gap: 1rem;
    }
    pre {
      white-space: pre-wrap;
      word-break: break-word;
      font-size: 0.8rem;
      background: #f6f7f9;
      padding: 0.5rem;
    }
    .pager {
      display: flex;
      gap: 1rem;
      align-items: center;
      margin-top: 0.75rem;
    }
  `,
})
export class AuditPage implements OnInit {
  private readonly api = inject(AutocoderApi);

  protected readonly filters = new FormGroup({
    actor: new FormControl('', { nonNullable: true }),
    action: new FormControl('', { nonNullable: true }),
    from: new FormControl('', { nonNullable: true }),
    to: new FormControl('', { nonNullable: true }),
  });
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
  }

  protected search(): void {
    const v = this.filters.getRawValue();
    this.applied.set({
      ...(v.actor.trim() ? { actor: v.actor.trim() } : {}),
      ...(v.action.trim() ? { action: v.action.trim() } : {}),
      ...(isoOf(v.from) ? { from: isoOf(v.from) } : {}),
      ...(isoOf(v.to) ? { to: isoOf(v.to) } : {}),
    });
    this.offset.set(0);
    void this.load();
  }

  protected go(direction: 1 | -1): void {
    this.offset.set(Math.max(0, this.offset() + direction * PAGE_SIZE));
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
