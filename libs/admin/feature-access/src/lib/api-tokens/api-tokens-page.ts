import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, OnInit, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { ApiError, AuthSession, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator } from '@autocoder/admin-ui';
import {
  type ApiTokenView,
  type CreatedApiTokenView,
  CreateApiTokenSchema,
  MAX_PAGE_SIZE,
  type ProjectView,
} from '@autocoder/shared-contracts';
import { firstValueFrom } from 'rxjs';

/**
 * Personal API tokens (scripts, CI, MCP clients such as Claude Code): the signed-in person's
 * list; admins create and revoke them. A new token's secret is shown once, here, and only kept
 * in this component: leaving the page forgets it.
 */
@Component({
  selector: 'ac-api-tokens-page',
  imports: [ReactiveFormsModule, DatePipe, ErrorPanel, LoadingIndicator],
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
        <ac-error-panel
          [title]="errorTitle()"
          [message]="err.message"
          [requestId]="err.requestId"
        />
      }

      @if (created(); as c) {
        <div
          class="card secret"
          role="region"
          aria-labelledby="token-secret-title"
          data-testid="token-secret-box"
        >
          <h2 id="token-secret-title">
            <span class="once">Shown once</span> New token “{{ c.name }}”
          </h2>
          <p>
            Copy it now and keep it somewhere safe: it will not be shown again and cannot be
            retrieved later. Lost it? Revoke it and create another.
          </p>
          <code class="token" data-testid="token-created-secret">{{ c.token }}</code>
          <div class="actions">
            <button
              type="button"
              class="btn btn-primary"
              data-testid="token-copy"
              aria-label="Copy the new token"
              (click)="copy(c.token)"
            >
              {{ copied() ? 'Copied' : 'Copy' }}
            </button>
            <button type="button" class="btn" data-testid="token-secret-done" (click)="forget()">
              Done, I have copied it
            </button>
            <span class="muted" role="status">{{ copyNote() }}</span>
          </div>
        </div>
      }

      @if (auth.canChange()) {
        <form class="card create" [formGroup]="form" (ngSubmit)="create()" aria-label="New token">
          <h2>New token</h2>
          <div class="field">
            <label for="token-name">Name</label>
            <input
              id="token-name"
              type="text"
              formControlName="name"
              data-testid="token-name"
              placeholder="claude code"
              required
            />
          </div>
          <div class="field">
            <label for="token-role">Role</label>
            <select id="token-role" formControlName="role" data-testid="token-role">
              <option value="viewer">viewer (read only)</option>
              <option value="admin">admin</option>
            </select>
          </div>
          <div class="field">
            <label for="token-project">Project</label>
            <select id="token-project" formControlName="projectId" data-testid="token-project">
              <option value="">all projects (name one per request)</option>
              @for (p of projects(); track p.id) {
                <option [value]="p.id">{{ p.name }}</option>
              }
            </select>
          </div>
          <div class="field">
            <label for="token-expiry"
              >Expires after (days, empty: the default, 90 unless configured)</label
            >
            <input
              id="token-expiry"
              type="number"
              min="1"
              max="365"
              formControlName="expiresInDays"
              data-testid="token-expiry"
            />
          </div>
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

      @if (tokens(); as list) {
        <!-- Focusable so that a keyboard can scroll the table sideways on a narrow screen. -->
        <div class="card table-card" tabindex="0" role="region" aria-label="Your API tokens">
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
                <th>Revoked</th>
                @if (auth.canChange()) {
                  <th><span class="visually-hidden">Actions</span></th>
                }
              </tr>
            </thead>
            <tbody>
              @for (t of list; track t.id) {
                <tr data-testid="token-row" [class.inactive]="!!t.revokedAt">
                  <td class="name">{{ t.name }}</td>
                  <td>
                    <code>{{ t.prefix }}…</code>
                  </td>
                  <td>{{ t.role }}</td>
                  <td>{{ projectName(t.projectId) }}</td>
                  <td>{{ t.createdAt | date: 'medium' }}</td>
                  <td>{{ t.expiresAt ? (t.expiresAt | date: 'mediumDate') : 'never' }}</td>
                  <td>{{ t.lastUsedAt ? (t.lastUsedAt | date: 'medium') : '—' }}</td>
                  <td>
                    @if (t.revokedAt) {
                      revoked {{ t.revokedAt | date: 'medium' }}
                    } @else {
                      <span class="muted">active</span>
                    }
                  </td>
                  @if (auth.canChange()) {
                    <td>
                      @if (!t.revokedAt) {
                        <button
                          type="button"
                          class="btn btn-small"
                          data-testid="token-revoke"
                          [attr.aria-label]="'Revoke ' + t.name"
                          [disabled]="busy()"
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
      } @else if (!error()) {
        <ac-loading text="Loading API tokens…" />
      }
    </section>
  `,
  styles: `
    .subtitle {
      margin: 0.25rem 0 0;
    }
    .create {
      display: grid;
      gap: 0.75rem;
      max-width: 28rem;
    }
    .create input,
    .create select {
      padding: 0.55rem 0.7rem;
      border: 1px solid var(--ac-border-strong);
      border-radius: 8px;
      background: var(--ac-input-bg);
      color: inherit;
      font: inherit;
    }
    .create button {
      justify-self: start;
    }
    .secret {
      border-left: 4px solid var(--ac-status-waiting);
      background: var(--ac-warning-bg);
    }
    .secret p {
      margin: 0.5rem 0;
    }
    .once {
      display: inline-block;
      margin-right: 0.4rem;
      padding: 0.1rem 0.5rem;
      border-radius: 999px;
      background: var(--ac-warning-fg);
      color: var(--ac-surface);
      font-size: 0.75rem;
      font-weight: 600;
      vertical-align: middle;
    }
    .token {
      display: block;
      padding: 0.6rem;
      border: 1px solid var(--ac-warning-border);
      border-radius: 6px;
      background: var(--ac-surface);
      font-size: 0.95rem;
      word-break: break-all;
      user-select: all;
    }
    .actions {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      margin-top: 0.75rem;
    }
    .table-card {
      padding: 0.25rem 0;
      overflow-x: auto;
      /* Holds its visually hidden headers, so they do not widen the page. */
      position: relative;
    }
    .name {
      font-weight: 600;
    }
    .inactive td {
      color: var(--ac-muted);
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
export class ApiTokensPage implements OnInit {
  protected readonly auth = inject(AuthSession);
  private readonly api = inject(AutocoderApi);

  protected readonly tokens = signal<ApiTokenView[] | undefined>(undefined);
  protected readonly projects = signal<ProjectView[]>([]);
  /** The one answer that carries the secret; never stored anywhere but here. */
  protected readonly created = signal<CreatedApiTokenView | undefined>(undefined);
  protected readonly copied = signal(false);
  protected readonly copyNote = signal('');
  protected readonly error = signal<ApiError | undefined>(undefined);
  protected readonly errorTitle = signal('Could not load API tokens');
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
    // Names for the project column (viewers may read projects too) and the create form.
    this.api.listProjects({ limit: MAX_PAGE_SIZE }).subscribe({
      next: (page) => this.projects.set(page.items),
      error: () => this.projects.set([]),
    });
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
    this.forget();
    try {
      this.created.set(await firstValueFrom(this.api.createApiToken(parsed.data)));
      this.form.reset({ name: '', role: 'viewer', projectId: '', expiresInDays: null });
      this.error.set(undefined);
      await this.load();
    } catch (err) {
      this.fail('Could not create the token', err);
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
    this.busy.set(true);
    try {
      await firstValueFrom(this.api.revokeApiToken(token.id));
      this.error.set(undefined);
      await this.load();
    } catch (err) {
      this.fail(`Could not revoke “${token.name}”`, err);
    } finally {
      this.busy.set(false);
    }
  }

  protected async copy(text: string): Promise<void> {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      this.copied.set(true);
      this.copyNote.set('');
    } catch {
      // Not a secure context or no permission: the token text is selectable by hand.
      this.copyNote.set('Copying is not allowed here: select the token and copy it by hand.');
    }
  }

  /** Drops the secret from the page. */
  protected forget(): void {
    this.created.set(undefined);
    this.copied.set(false);
    this.copyNote.set('');
  }

  private async load(): Promise<void> {
    try {
      this.tokens.set(await firstValueFrom(this.api.listApiTokens()));
      this.error.set(undefined);
    } catch (err) {
      this.fail('Could not load API tokens', err);
    }
  }

  private fail(title: string, err: unknown): void {
    this.errorTitle.set(title);
    this.error.set(toApiError(err));
  }
}
