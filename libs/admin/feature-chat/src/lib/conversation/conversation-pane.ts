import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  ElementRef,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { AuthSession, AutocoderApi } from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator } from '@autocoder/admin-ui';
import { MAX_CHAT_MESSAGE_CHARS, type ProjectView } from '@autocoder/shared-contracts/plain';
import { ChatMessage } from '../chat-message/chat-message';
import { KIND_LABELS } from '../conversation-list/kinds';
import { latestProposal, latestSpec } from '../outcomes/chat-outcomes';
import { ProposalPreview } from '../proposal/proposal-preview';
import { SpecDraftPanel } from '../spec-draft/spec-draft';
import { providerLabel } from '../thread/chat-thread';
import { ConversationStore } from './conversation-store';

/** Within this many pixels of the bottom, new text keeps the view at the bottom. */
const STICK_PX = 120;

/**
 * One conversation: its messages with "load earlier", replies streaming in, the composer with
 * stop and retry, export, and what the kind ends with (the spec, the proposed features).
 */
@Component({
  selector: 'ac-conversation-pane',
  imports: [
    FormsModule,
    ErrorPanel,
    LoadingIndicator,
    ChatMessage,
    ProposalPreview,
    SpecDraftPanel,
  ],
  providers: [ConversationStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './conversation-pane.html',
  styleUrl: './conversation-pane.css',
})
export class ConversationPane {
  readonly projectId = input.required<string>();
  readonly conversationId = input.required<string>();
  /** A message to open the conversation at (from a search result). */
  readonly focus = input<string | null>(null);
  readonly project = input<ProjectView | null>(null);
  /** Something was written: the list re-sorts. */
  readonly activity = output<void>();
  readonly projectChanged = output<ProjectView>();

  protected readonly store = inject(ConversationStore);
  private readonly api = inject(AutocoderApi);
  protected readonly canChange = inject(AuthSession).canChange;
  protected readonly kindLabels = KIND_LABELS;
  protected readonly maxChars = MAX_CHAT_MESSAGE_CHARS;

  protected readonly draft = signal('');
  private readonly scroller = viewChild<ElementRef<HTMLElement>>('scroller');

  protected readonly conversation = this.store.conversation;
  protected readonly providerName = computed(() => {
    const p = this.conversation()?.provider;
    return p ? providerLabel(p) : 'Claude (default)';
  });
  protected readonly geminiNoTools = computed(() => this.conversation()?.provider === 'gemini');
  protected readonly exportUrls = computed(() => ({
    markdown: this.api.conversationExportUrl(this.projectId(), this.conversationId(), 'markdown'),
    json: this.api.conversationExportUrl(this.projectId(), this.conversationId(), 'json'),
  }));
  protected readonly waiting = computed(
    () => this.store.busy() && this.store.streaming().size === 0,
  );
  /** The last turn failed or was stopped: asking again makes sense. */
  protected readonly canRetry = computed(() => {
    if (this.store.busy()) return false;
    const last = this.store.messages().at(-1);
    if (!last) return false;
    return (
      (last.role === 'system' && (last.notice === 'failure' || last.notice === 'stopped')) ||
      (last.role === 'assistant' && last.stopped)
    );
  });
  protected readonly proposal = computed(() =>
    this.conversation()?.kind === 'expand' && !this.store.busy()
      ? latestProposal(this.store.messages())
      : null,
  );
  protected readonly spec = computed(() =>
    this.conversation()?.kind === 'spec' && !this.store.busy()
      ? latestSpec(this.store.messages())
      : null,
  );
  protected readonly placeholder = computed(() => {
    switch (this.conversation()?.kind) {
      case 'spec':
        return 'Describe the app you want: who uses it, what it does…';
      case 'expand':
        return 'What should the backlog gain? e.g. "search and filters for the list"';
      default:
        return 'Ask about the backlog, the agents, what is blocked…';
    }
  });

  constructor() {
    effect(() => {
      const projectId = this.projectId();
      const conversationId = this.conversationId();
      const focus = this.focus();
      untracked(() => {
        this.draft.set('');
        void this.store.open(projectId, conversationId, focus ?? undefined).then(() => {
          if (focus) this.scrollTo(focus);
          else this.scrollToBottom(true);
        });
      });
    });
    // New text keeps the view at the bottom, unless the person scrolled up to read.
    effect(() => {
      this.store.thread();
      const el = this.scroller()?.nativeElement;
      if (!el || this.focus()) return;
      const near = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
      if (near) this.scrollToBottom(false);
    });
  }

  protected async send(): Promise<void> {
    const content = this.draft().trim();
    if (!content || this.store.busy()) return;
    if (await this.store.send(content)) {
      this.draft.set('');
      this.activity.emit();
      this.scrollToBottom(true);
    }
  }

  protected onKey(event: KeyboardEvent): void {
    // Enter sends; Shift+Enter (and IME composition) makes a new line.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void this.send();
    }
  }

  protected async stop(): Promise<void> {
    await this.store.stop();
  }

  protected async retry(): Promise<void> {
    if (await this.store.retry()) {
      this.activity.emit();
      this.scrollToBottom(true);
    }
  }

  private scrollToBottom(always: boolean): void {
    requestAnimationFrame(() => {
      const el = this.scroller()?.nativeElement;
      if (!el) return;
      if (always || el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX * 4) {
        el.scrollTop = el.scrollHeight;
      }
    });
  }

  private scrollTo(messageId: string): void {
    requestAnimationFrame(() => {
      const el = this.scroller()?.nativeElement.querySelector<HTMLElement>(
        `[data-message-id="${CSS.escape(messageId)}"]`,
      );
      el?.scrollIntoView({ block: 'center' });
    });
  }
}
