import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, OnInit, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { ApiError, AuthSession, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel } from '@autocoder/admin-ui';
import {
  type ApiTokenView,
  type CreatedApiTokenView,
  CreateApiTokenSchema,
  type ProjectView,
} from '@autocoder/shared-contracts';
import { firstValueFrom } from 'rxjs';

/**
 * Personal API tokens (scripts, CI, MCP clients such as Claude Code): the signed-in person's
 * list; admins create and revoke them. A new token's secret is shown once, here, and never kept.
 */
@Component({
  selector: 'ac-api-tokens-page',
  imports: [ReactiveFormsModule, DatePipe, ErrorPanel],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="page">
      <header class="page-header">
        <div>
          <h1>API tokens</h1>
          <p class="muted subtitle">
            For scripts and MCP clients: send <code>Authorization: Bearer acp_…</code>. A token
            never does more than its role allows you.
          </p>
        </div>
      </header>

      @if (error(); as err) {
        <ac-error-panel title="API tokens" [message]="err.message" [requestId]="err.requestId" />
      }

      @if (created(); as c) {
        <div class="card secret" role="status">
          <h2>New token “{{ c.name }}”</h2>
          <p>Copy it now: it is shown only this once and cannot be retrieved later.</p>
          <code class="token" data-testid="token-created-secret">{{ c.token }}</code>
          <div class="actions">
            <button type="button" class="btn" (click)="copy(c.token)">
              {{ copied() ? 'Copied' : 'Copy' }}
            </button>
            <button type="button" class="btn" (click)="created.set(undefined)">Done</button>
          </div>
        </div>
      }

      @if (auth.canChange()) {
        <form class="card create" [formGroup]="form" (ngSubmit)="create()">
          <h2>New token</h2>
          <label for="token-name">Name</label>
          <input
            id="token-name"
            formControlName="name"
            data-testid="token-name"
            placeholder="claude code"
          />
          <label for="token-role">Role</label>
          <select id="token-role" formControlName="role" data-testid="token-role">
            <option value="viewer">viewer (read only)</option>
            <option value="admin">admin</option>
          </select>
          <label for="token-project">Project</label>
          <select id="token-project" formControlName="projectId">
            <option value="">all projects (name one per request)</option>
            @for (p of projects(); track p.id) {
              <option [value]="p.id">{{ p.name }}</option>
            }
          </select>
          <label for="token-expiry">Expires after (days, empty: never)</label>
          <input
            id="token-expiry"
            type="number"
            min="1"
            max="365"
            formControlName="expiresInDays"
          />
          @if (formError()) {
            <p class="field-error" role="alert">{{ formError() }}</p>
          }
          <button
            type="submit"
            class="btn btn-primary"
            data-testid="token-create"
            [disabled]="busy()"
          >
            Create token
          </button>
        </form>
      }

      <div class="card table-card">
        <table class="data">
          <thead>
            <tr>
              <th>Name</th>
              <th>Token</th>
              <th>Role</th>
              <th>Project</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th>State</th>
              @if (auth.canChange()) {
                <th></th>
              }
            </tr>
          </thead>
          <tbody>
            @for (t of tokens(); track t.id) {
              <tr data-testid="token-row">
                <td>{{ t.name }}</td>
                <td>
                  <code>{{ t.prefix }}…</code>
                </td>
                <td>{{ t.role }}</td>
                <td>{{ projectName(t.projectId) }}</td>
                <td>{{ t.createdAt | date: 'medium' }}</td>
                <td>{{ t.expiresAt ? (t.expiresAt | date: 'mediumDate') : 'never' }}</td>
                <td>{{ t.lastUsedAt ? (t.lastUsedAt | date: 'medium') : '—' }}</td>
                <td>{{ t.revokedAt ? 'revoked' : 'active' }}</td>
                @if (auth.canChange()) {
                  <td>
                    @if (!t.revokedAt) {
                      <button
                        type="button"
                        class="btn"
                        data-testid="token-revoke"
                        (click)="revoke(t)"
                      >
                        Revoke
                      </button>
                    }
                  </td>
                }
              </tr>
            } @empty {
              <tr>
                <td colspan="9" class="muted">No tokens yet.</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    </section>
  `,
  styles: `
    .create {
      display: grid;
      gap: 0.35rem;
      max-width: 28rem;
      padding: 1rem 1.25rem;
      margin-bottom: 1rem;
    }
    .create button {
      justify-self: start;
      margin-top: 0.5rem;
    }
    .secret {
      padding: 1rem 1.25rem;
      margin-bottom: 1rem;
      border-left: 4px solid #d97706;
    }
    .token {
      display: block;
      padding: 0.5rem;
      background: #f3f4f6;
      word-break: break-all;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
      margin-top: 0.5rem;
    }
    .field-error {
      color: #b3261e;
    }
  `,
})
export class ApiTokensPage implements OnInit {
  protected readonly auth = inject(AuthSession);
  private readonly api = inject(AutocoderApi);

  protected readonly tokens = signal<ApiTokenView[]>([]);
  protected readonly projects = signal<ProjectView[]>([]);
  protected readonly created = signal<CreatedApiTokenView | undefined>(undefined);
  protected readonly copied = signal(false);
  protected readonly error = signal<ApiError | undefined>(undefined);
  protected readonly formError = signal('');
  protected readonly busy = signal(false);

  protected readonly form = new FormGroup({
    name: new FormControl('', { nonNullable: true }),
    role: new FormControl<'viewer' | 'admin'>('viewer', { nonNullable: true }),
    projectId: new FormControl('', { nonNullable: true }),
    expiresInDays: new FormControl<number | null>(null),
  });

  ngOnInit(): void {
    void this.load();
    if (this.auth.canChange()) {
      this.api.listProjects({ limit: 100 }).subscribe({
        next: (page) => this.projects.set(page.items),
        error: () => this.projects.set([]),
      });
    }
  }

  protected projectName(id: string | null): string {
    if (!id) return 'all projects';
    return this.projects().find((p) => p.id === id)?.name ?? id;
  }

  protected async create(): Promise<void> {
    const v = this.form.getRawValue();
    const parsed = CreateApiTokenSchema.safeParse({
      name: v.name,
      role: v.role,
      ...(v.projectId ? { projectId: v.projectId } : {}),
      ...(v.expiresInDays ? { expiresInDays: Number(v.expiresInDays) } : {}),
    });
    if (!parsed.success) {
      this.formError.set(
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
      return;
    }
    this.formError.set('');
    this.busy.set(true);
    try {
      this.created.set(await firstValueFrom(this.api.createApiToken(parsed.data)));
      this.copied.set(false);
      this.form.reset({ name: '', role: 'viewer', projectId: '', expiresInDays: null });
      await this.load();
    } catch (err) {
      this.error.set(toApiError(err));
    } finally {
      this.busy.set(false);
    }
  }

  protected async revoke(token: ApiTokenView): Promise<void> {
    if (
      !confirm(`Revoke “${token.name}” (${token.prefix}…)? Clients using it stop working at once.`)
    ) {
      return;
    }
    try {
      await firstValueFrom(this.api.revokeApiToken(token.id));
      await this.load();
    } catch (err) {
      this.error.set(toApiError(err));
    }
  }

  protected copy(text: string): void {
    void navigator.clipboard?.writeText(text).then(() => this.copied.set(true));
  }

  private async load(): Promise<void> {
    try {
      this.tokens.set(await firstValueFrom(this.api.listApiTokens()));
      this.error.set(undefined);
    } catch (err) {
      this.error.set(toApiError(err));
    }
  }
}
