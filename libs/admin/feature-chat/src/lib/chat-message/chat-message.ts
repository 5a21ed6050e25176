import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MarkdownView } from '../markdown/markdown-view';
import { fallbackLabel, providerLabel, type ThreadItem } from '../thread/chat-thread';
import { ToolCall } from '../tool-call/tool-call';

/**
 * One item of a conversation: the person's message, a reply (Markdown, its tool calls inline,
 * who wrote it, whether it stood in for another provider or was stopped), a reply still
 * streaming, or a note of the platform.
 */
@Component({
  selector: 'ac-chat-message',
  imports: [MarkdownView, ToolCall],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './chat-message.html',
  styleUrl: './chat-message.css',
})
export class ChatMessage {
  readonly item = input.required<ThreadItem>();
  /** The conversation's turn is over (tool calls without results will not get any). */
  readonly settled = input(false);
  /** Opened from a search result: drawn out briefly. */
  readonly highlighted = input(false);

  protected readonly badge = computed(() => {
    const item = this.item();
    if (item.kind !== 'assistant' || !item.message.provider) return null;
    return {
      provider: providerLabel(item.message.provider),
      model: item.message.model ?? '',
    };
  });

  protected readonly fallback = computed(() => {
    const item = this.item();
    return item.kind === 'assistant' && item.message.fallbackFrom
      ? fallbackLabel(item.message.fallbackFrom)
      : null;
  });

  protected readonly time = computed(() => {
    const item = this.item();
    if (item.kind === 'streaming') return '';
    return new Date(item.message.createdAt).toLocaleTimeString('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
    });
  });
}
