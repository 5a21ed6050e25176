import {
  ChangeDetectionStrategy,
  Component,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import { type ApiError, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel } from '@autocoder/admin-ui';
import type { ConversationKind, ConversationView } from '@autocoder/shared-contracts/plain';
import { firstValueFrom } from 'rxjs';
import { providerLabel } from '../thread/chat-thread';
import { KIND_LABELS } from './kinds';

/** Conversations per page. */
export const CONVERSATIONS_PAGE = 20;

/** The project's conversations, most recently active first, by kind, a page at a time. */
@Component({
  selector: 'ac-conversation-list',
  imports: [RouterLink, ErrorPanel],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './conversation-list.html',
  styleUrl: './conversation-list.css',
})
export class ConversationList {
  readonly projectId = input.required<string>();
  readonly selectedId = input<string | null>(null);
  /** Bumped by the page when a conversation was created or written to. */
  readonly refresh = input(0);

  private readonly api = inject(AutocoderApi);
  protected readonly labels = KIND_LABELS;
  protected readonly kinds = Object.keys(KIND_LABELS) as ConversationKind[];
  protected readonly providerLabel = providerLabel;

  protected readonly kind = signal<ConversationKind | ''>('');
  protected readonly items = signal<ConversationView[]>([]);
  protected readonly total = signal(0);
  protected readonly loading = signal(true);
  protected readonly error = signal<ApiError | null>(null);

  constructor() {
    effect(() => {
      const projectId = this.projectId();
      const kind = this.kind();
      this.refresh();
      untracked(() => void this.load(projectId, kind));
    });
  }

  protected async more(): Promise<void> {
    await this.load(this.projectId(), this.kind(), this.items().length);
  }

  protected retry(): void {
    void this.load(this.projectId(), this.kind());
  }

  protected when(iso: string): string {
    const d = new Date(iso);
    const today = new Date().toDateString() === d.toDateString();
    return today
      ? d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
      : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
  }

  private async load(projectId: string, kind: ConversationKind | '', offset = 0): Promise<void> {
    this.loading.set(true);
    this.error.set(null);
    try {
      const page = await firstValueFrom(
        this.api.listConversations(projectId, {
          limit: CONVERSATIONS_PAGE,
          offset,
          ...(kind ? { kind } : {}),
        }),
      );
      if (projectId !== this.projectId() || kind !== this.kind()) return;
      this.total.set(page.total);
      this.items.update((items) => {
        const kept = offset === 0 ? [] : items;
        const ids = new Set(kept.map((c) => c.id));
        return [...kept, ...page.items.filter((c) => !ids.has(c.id))];
      });
    } catch (err) {
      this.error.set(toApiError(err));
    } finally {
      this.loading.set(false);
    }
  }
}
