import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import {
  type ApiError,
  AutocoderApi,
  LiveEventsService,
  toApiError,
} from '@autocoder/admin-data-access-api';
import type {
  ChatDeltaData,
  ChatErrorData,
  ChatMessageData,
  ConversationView,
  MessageView,
} from '@autocoder/shared-contracts/plain';
import { firstValueFrom, type Subscription } from 'rxjs';
import {
  addDelta,
  awaitingReply,
  buildThread,
  prependMessages,
  type StreamingReply,
  upsertMessage,
} from '../thread/chat-thread';

/** Messages per page: the newest first, "load earlier" for more. */
export const MESSAGES_PAGE = 50;
/** How far back a search result's message is looked for (pages of MESSAGES_PAGE). */
const MAX_PAGES_TO_FIND = 20;

/**
 * One open conversation: its messages (oldest first, paged back from the newest), the replies
 * streaming in over its live events, and the person's actions (send, stop, retry). Provided by
 * the conversation pane, so each pane has its own.
 */
@Injectable()
export class ConversationStore {
  private readonly api = inject(AutocoderApi);
  private readonly live = inject(LiveEventsService);

  readonly conversation = signal<ConversationView | null>(null);
  readonly messages = signal<MessageView[]>([]);
  /** Messages in the conversation, loaded or not. */
  readonly total = signal(0);
  readonly loading = signal(false);
  readonly loadingEarlier = signal(false);
  readonly error = signal<ApiError | null>(null);
  /** The last action's failure (send, stop, retry), shown by the composer. */
  readonly actionError = signal<ApiError | null>(null);
  /** A person's action is on its way to the api. */
  readonly acting = signal<'send' | 'stop' | 'retry' | null>(null);
  /** The api says a retry is coming (a rate limit or a passing failure). */
  readonly retrying = signal<string | null>(null);
  readonly streaming = signal<ReadonlyMap<string, StreamingReply>>(new Map());
  /** A stop was asked for and the reply has not come back yet. */
  readonly stopping = signal(false);

  readonly thread = computed(() => buildThread(this.messages(), this.streaming()));
  readonly busy = computed(() => awaitingReply(this.messages()) || this.streaming().size > 0);
  readonly hasEarlier = computed(() => this.messages().length < this.total());

  private projectId = '';
  private stream?: Subscription;
  /** Bumped on every load, so an answer for another conversation is dropped. */
  private generation = 0;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stream?.unsubscribe());
  }

  /** Opens a conversation; with `focus`, pages back until that message is loaded. */
  async open(projectId: string, conversationId: string, focus?: string): Promise<void> {
    const generation = ++this.generation;
    this.projectId = projectId;
    this.stream?.unsubscribe();
    this.conversation.set(null);
    this.messages.set([]);
    this.streaming.set(new Map());
    this.error.set(null);
    this.actionError.set(null);
    this.stopping.set(false);
    this.retrying.set(null);
    this.loading.set(true);
    // Live first, then the page: a reply stored in between is in one or the other.
    this.stream = this.live.conversationStream(projectId, conversationId).subscribe((m) => {
      if (m.kind === 'event') this.onEvent(m.event.type, m.event.data);
      // Reconnected: what streamed meanwhile is stored by now, or streams again.
      else if (m.kind === 'open' && this.conversation()) void this.refresh();
    });
    try {
      const detail = await firstValueFrom(
        this.api.getConversation(projectId, conversationId, { limit: MESSAGES_PAGE }),
      );
      if (generation !== this.generation) return;
      this.conversation.set(detail);
      this.total.set(detail.messages.total);
      this.messages.update((live) =>
        live.reduce((all, m) => upsertMessage(all, m), detail.messages.items),
      );
      for (let page = 0; focus && page < MAX_PAGES_TO_FIND; page++) {
        if (this.messages().some((m) => m.id === focus) || !this.hasEarlier()) break;
        await this.loadEarlier();
      }
    } catch (err) {
      if (generation === this.generation) this.error.set(toApiError(err));
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }

  async loadEarlier(): Promise<void> {
    const conversation = this.conversation();
    if (!conversation || this.loadingEarlier()) return;
    const generation = this.generation;
    this.loadingEarlier.set(true);
    try {
      const page = await firstValueFrom(
        this.api.getConversation(this.projectId, conversation.id, {
          limit: MESSAGES_PAGE,
          offset: this.messages().length,
        }),
      );
      if (generation !== this.generation) return;
      this.total.set(page.messages.total);
      this.messages.update((loaded) => prependMessages(page.messages.items, loaded));
    } catch (err) {
      if (generation === this.generation) this.actionError.set(toApiError(err));
    } finally {
      this.loadingEarlier.set(false);
    }
  }

  async send(content: string): Promise<boolean> {
    return this.act('send', async (projectId, id) => {
      const message = await firstValueFrom(this.api.postMessage(projectId, id, { content }));
      this.add(message);
    });
  }

  async stop(): Promise<boolean> {
    return this.act('stop', async (projectId, id) => {
      this.stopping.set(true);
      await firstValueFrom(this.api.stopReply(projectId, id));
    });
  }

  async retry(): Promise<boolean> {
    return this.act('retry', async (projectId, id) => {
      const message = await firstValueFrom(this.api.retryReply(projectId, id));
      this.add(message);
    });
  }

  private async act(
    kind: 'send' | 'stop' | 'retry',
    run: (projectId: string, conversationId: string) => Promise<void>,
  ): Promise<boolean> {
    const conversation = this.conversation();
    if (!conversation) return false;
    this.acting.set(kind);
    this.actionError.set(null);
    try {
      await run(this.projectId, conversation.id);
      return true;
    } catch (err) {
      this.actionError.set(toApiError(err));
      if (kind === 'stop') this.stopping.set(false);
      return false;
    } finally {
      this.acting.set(null);
    }
  }

  /** Catches up after a reconnect: the newest page again, merged with what is loaded. */
  private async refresh(): Promise<void> {
    const conversation = this.conversation();
    if (!conversation) return;
    const generation = this.generation;
    try {
      const detail = await firstValueFrom(
        this.api.getConversation(this.projectId, conversation.id, { limit: MESSAGES_PAGE }),
      );
      if (generation !== this.generation) return;
      this.total.set(detail.messages.total);
      for (const m of detail.messages.items) this.add(m, false);
    } catch {
      // The stream retries by itself; the next opening refreshes again.
    }
  }

  private add(message: MessageView, counted = true): void {
    const known = this.messages().some((m) => m.id === message.id);
    this.messages.update((all) => upsertMessage(all, message));
    if (!known && counted) this.total.update((n) => n + 1);
    if (this.streaming().has(message.id)) {
      this.streaming.update((s) => {
        const next = new Map(s);
        next.delete(message.id);
        return next;
      });
    }
    if (message.role === 'assistant' || message.role === 'system') {
      this.retrying.set(null);
      if (!awaitingReply(this.messages())) this.stopping.set(false);
    }
  }

  private onEvent(type: string, data: unknown): void {
    switch (type) {
      case 'chat.delta':
        this.streaming.update((s) => addDelta(s, data as ChatDeltaData));
        break;
      case 'chat.message':
        this.add((data as ChatMessageData).message);
        break;
      case 'chat.error': {
        const error = data as ChatErrorData;
        this.streaming.set(new Map());
        this.retrying.set(
          error.retrying
            ? error.retryAfterMs
              ? `The provider is busy; trying again in ${Math.ceil(error.retryAfterMs / 1000)} s…`
              : 'The reply failed; trying again…'
            : null,
        );
        break;
      }
    }
  }
}
