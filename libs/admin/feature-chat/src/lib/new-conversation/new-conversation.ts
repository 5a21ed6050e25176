import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { type ApiError, AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { ErrorPanel } from '@autocoder/admin-ui';
import type {
  ChatProvider,
  ConversationKind,
  ConversationView,
} from '@autocoder/shared-contracts/plain';
import { firstValueFrom } from 'rxjs';
import { ProviderSelect } from '../provider-select/provider-select';
import { KIND_HINTS, KIND_LABELS } from '../conversation-list/kinds';

/** Starts a conversation: its kind, who answers, and an optional title. */
@Component({
  selector: 'ac-new-conversation',
  imports: [FormsModule, ErrorPanel, ProviderSelect],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './new-conversation.html',
  styleUrl: './new-conversation.css',
})
export class NewConversation {
  readonly projectId = input.required<string>();
  readonly created = output<ConversationView>();
  readonly cancelled = output<void>();

  private readonly api = inject(AutocoderApi);
  protected readonly kinds = Object.keys(KIND_LABELS) as ConversationKind[];
  protected readonly labels = KIND_LABELS;
  protected readonly hints = KIND_HINTS;

  protected readonly kind = signal<ConversationKind>('assistant');
  protected readonly provider = signal<ChatProvider>('anthropic');
  protected readonly title = signal('');
  protected readonly creating = signal(false);
  protected readonly error = signal<ApiError | null>(null);

  protected async create(): Promise<void> {
    this.creating.set(true);
    this.error.set(null);
    try {
      const title = this.title().trim();
      const conversation = await firstValueFrom(
        this.api.createConversation(this.projectId(), {
          kind: this.kind(),
          provider: this.provider(),
          ...(title ? { title } : {}),
        }),
      );
      this.created.emit(conversation);
    } catch (err) {
      this.error.set(toApiError(err));
    } finally {
      this.creating.set(false);
    }
  }
}
