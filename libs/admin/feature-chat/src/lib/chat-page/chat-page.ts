import {
  ChangeDetectionStrategy,
  Component,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import {
  type ApiError,
  AuthSession,
  AutocoderApi,
  toApiError,
} from '@autocoder/admin-data-access-api';
import { ErrorPanel, ProjectNav } from '@autocoder/admin-ui';
import type { ConversationView, ProjectView } from '@autocoder/shared-contracts/plain';
import { firstValueFrom } from 'rxjs';
import { ChatSearch } from '../chat-search/chat-search';
import { ConversationList } from '../conversation-list/conversation-list';
import { ConversationPane } from '../conversation/conversation-pane';
import { NewConversation } from '../new-conversation/new-conversation';

/**
 * A project's chats (`/projects/:id/chat`, `/projects/:id/chat/:conversationId`): search and
 * the conversations on the side, the open conversation (or a new one) beside them. On a phone
 * the list and the conversation take turns.
 */
@Component({
  selector: 'ac-chat-page',
  imports: [
    RouterLink,
    ErrorPanel,
    ProjectNav,
    ChatSearch,
    ConversationList,
    ConversationPane,
    NewConversation,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './chat-page.html',
  styleUrl: './chat-page.css',
})
export class ChatPage {
  /** Route parameters and the query's `message` (a search result), bound as inputs. */
  readonly id = input.required<string>();
  readonly conversationId = input<string | undefined>(undefined);
  readonly message = input<string | undefined>(undefined);

  private readonly api = inject(AutocoderApi);
  private readonly router = inject(Router);
  protected readonly canChange = inject(AuthSession).canChange;

  protected readonly project = signal<ProjectView | null>(null);
  protected readonly projectError = signal<ApiError | null>(null);
  protected readonly creating = signal(false);
  protected readonly listRefresh = signal(0);

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => void this.loadProject(id));
    });
    // Opening a conversation closes the new-conversation form.
    effect(() => {
      this.conversationId();
      untracked(() => this.creating.set(false));
    });
  }

  protected created(conversation: ConversationView): void {
    this.creating.set(false);
    this.listRefresh.update((n) => n + 1);
    void this.router.navigate(['/projects', this.id(), 'chat', conversation.id]);
  }

  protected async loadProject(id: string): Promise<void> {
    this.projectError.set(null);
    try {
      this.project.set(await firstValueFrom(this.api.getProject(id)));
    } catch (err) {
      this.projectError.set(toApiError(err));
    }
  }
}
