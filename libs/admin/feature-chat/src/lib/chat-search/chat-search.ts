import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { type ApiError, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel } from '@autocoder/admin-ui';
import type {
  ConversationSearchHitView,
  ConversationSearchView,
} from '@autocoder/shared-contracts/plain';
import { firstValueFrom } from 'rxjs';
import { KIND_LABELS } from '../conversation-list/kinds';
import { snippetParts, type SnippetPart } from './snippet';

const ROLE_LABELS: Readonly<Record<ConversationSearchHitView['role'], string>> = {
  user: 'Person',
  assistant: 'Reply',
  tool: 'Tool result',
  system: 'Platform',
};

interface Hit extends ConversationSearchHitView {
  parts: SnippetPart[];
}

/**
 * Full-text search over the project's conversations: best match first, each with its snippet
 * and the matched words marked; a result opens its conversation at that message.
 */
@Component({
  selector: 'ac-chat-search',
  imports: [FormsModule, RouterLink, ErrorPanel],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './chat-search.html',
  styleUrl: './chat-search.css',
})
export class ChatSearch {
  readonly projectId = input.required<string>();
  /** The person left the search (cleared it or opened a result). */
  readonly closed = output<void>();

  private readonly api = inject(AutocoderApi);
  protected readonly kindLabels = KIND_LABELS;
  protected readonly roleLabels = ROLE_LABELS;

  protected readonly q = signal('');
  protected readonly searched = signal<string | null>(null);
  protected readonly hits = signal<Hit[]>([]);
  protected readonly total = signal(0);
  protected readonly capped = signal(false);
  protected readonly searching = signal(false);
  protected readonly error = signal<ApiError | null>(null);

  protected async search(offset = 0): Promise<void> {
    const q = this.q().trim();
    if (!q) return this.clear();
    this.searching.set(true);
    this.error.set(null);
    try {
      const view: ConversationSearchView = await firstValueFrom(
        this.api.searchConversations(this.projectId(), { q, limit: 20, offset }),
      );
      const hits = view.items.map((h) => ({ ...h, parts: snippetParts(h.snippet, h.highlights) }));
      this.hits.update((old) => (offset === 0 ? hits : [...old, ...hits]));
      this.total.set(view.total);
      this.capped.set(view.capped);
      this.searched.set(q);
    } catch (err) {
      this.error.set(toApiError(err));
    } finally {
      this.searching.set(false);
    }
  }

  protected clear(): void {
    this.q.set('');
    this.searched.set(null);
    this.hits.set([]);
    this.error.set(null);
    this.closed.emit();
  }

  protected when(iso: string): string {
    return new Date(iso).toLocaleString('en-GB', {
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
  }
}
