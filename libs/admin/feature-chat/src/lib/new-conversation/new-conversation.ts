import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import {
  type ApiError,
  AutocoderApi,
  ProviderCatalog,
  toApiError,
} from '@autocoder/admin-data-access-api';
import { ErrorPanel, priceText } from '@autocoder/admin-ui';
import type {
  ChatProvider,
  ConversationKind,
  ConversationView,
  ModelView,
  ProviderListView,
} from '@autocoder/shared-contracts/plain';
import { firstValueFrom } from 'rxjs';
import { ProviderSelect } from '../provider-select/provider-select';
import { KIND_HINTS, KIND_LABELS } from '../conversation-list/kinds';

/**
 * The models a chat of `provider` can use: Gemini's own, else the deployment's default provider's
 * (a chat that does not ask for Gemini is answered by the runner's default: Claude or the demo).
 */
export function chatModels(
  list: ProviderListView | null,
  provider: ChatProvider,
): { models: ModelView[]; fallback: string | null } {
  if (!list) return { models: [], fallback: null };
  const id = provider === 'gemini' ? 'gemini' : list.active.provider;
  const entry = list.providers.find((p) => p.id === id);
  const models = (entry?.models ?? []).filter((m) => m.available && m.roles.includes('chat'));
  const fallback = entry?.models.find((m) => m.isDefault)?.id ?? null;
  return { models, fallback };
}

/** Starts a conversation: its kind, who answers (provider and model), and an optional title. */
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
  private readonly catalog = inject(ProviderCatalog);
  protected readonly kinds = Object.keys(KIND_LABELS) as ConversationKind[];
  protected readonly labels = KIND_LABELS;
  protected readonly hints = KIND_HINTS;
  protected readonly price = priceText;

  protected readonly kind = signal<ConversationKind>('assistant');
  protected readonly provider = signal<ChatProvider>('anthropic');
  /** '' = the provider's default model. */
  protected readonly model = signal('');
  protected readonly models = computed(() => chatModels(this.catalog.list(), this.provider()));
  protected readonly title = signal('');

  constructor() {
    void this.catalog.ensure();
  }

  protected chooseProvider(provider: ChatProvider): void {
    this.provider.set(provider);
    this.model.set('');
  }
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
          ...(this.model() ? { model: this.model() } : {}),
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
