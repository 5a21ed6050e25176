import { ChangeDetectionStrategy, Component, computed, input, model } from '@angular/core';
import type {
  LlmProviderName,
  ModelRole,
  ModelView,
  ProviderListView,
} from '@autocoder/shared-contracts';
import { providerName } from '../provider-badge/provider-badge';

/** A provider and model; no provider means "inherit" (the deployment default, or another role's). */
export interface ModelPickerValue {
  provider?: LlmProviderName;
  model?: string;
}

interface ModelOption {
  id: string;
  text: string;
  usable: boolean;
  reason: string | null;
  view: ModelView | null;
}

interface ProviderOption {
  id: LlmProviderName;
  text: string;
  usable: boolean;
}

/** "$3 / $15 per M tokens", "free (local)", or "price unknown". */
export function priceText(m: Pick<ModelView, 'inputPerMTok' | 'outputPerMTok'>): string {
  if (m.inputPerMTok === null || m.outputPerMTok === null) return 'price unknown';
  if (m.inputPerMTok === 0 && m.outputPerMTok === 0) return 'free (local)';
  const usd = (n: number) => `$${n < 1 ? n.toFixed(2).replace(/0$/, '') : String(n)}`;
  return `${usd(m.inputPerMTok)} / ${usd(m.outputPerMTok)} per M tokens`;
}

/** Why `m` cannot serve `role` (null when it can). */
function reasonFor(m: ModelView, role: ModelRole): string | null {
  if (!m.available) return m.unavailableReason ?? 'unavailable';
  if (!m.roles.includes(role)) return 'chat only: cannot call tools';
  return null;
}

/**
 * Chooses a provider and one of its models for a role (coding, testing, chat…), from the
 * deployment's list: each option shows its price, and models that cannot serve the role
 * (unavailable, or chat-only where tools are needed) are disabled with the reason.
 */
@Component({
  selector: 'ac-model-picker',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './model-picker.html',
  styleUrl: './model-picker.css',
})
export class ModelPicker {
  readonly providers = input.required<ProviderListView | null>();
  readonly value = model<ModelPickerValue>({});
  readonly modelRole = input<ModelRole>('coding');
  readonly label = input.required<string>();
  /** Prefix of the controls' ids (unique on the page). */
  readonly pickerId = input.required<string>();
  /** The words of the "inherit" choice, e.g. "Deployment default"; empty: no such choice. */
  readonly inheritLabel = input('');
  /** What inheriting means now, e.g. "Demo · claude-sonnet-5-5". */
  readonly inheritHint = input('');
  readonly disabled = input(false);
  /** An error from the api about this choice. */
  readonly error = input<string | null>(null);

  protected readonly providerOptions = computed<ProviderOption[]>(() => {
    const role = this.modelRole();
    return (this.providers()?.providers ?? []).map((p) => {
      const usable = p.available && p.models.some((m) => reasonFor(m, role) === null);
      const why = !p.available
        ? `unavailable: ${p.unavailableReason ?? 'not configured'}`
        : usable
          ? null
          : 'no model here can call tools';
      const suffix = p.active ? ' (default)' : '';
      return { id: p.id, text: `${p.label}${suffix}${why ? ` — ${why}` : ''}`, usable };
    });
  });

  protected readonly modelOptions = computed<ModelOption[]>(() => {
    const { provider, model: chosen } = this.value();
    if (!provider) return [];
    const role = this.modelRole();
    const listed = this.providers()?.providers.find((p) => p.id === provider)?.models ?? [];
    const options: ModelOption[] = listed.map((m) => {
      const reason = reasonFor(m, role);
      const price = priceText(m);
      return {
        id: m.id,
        text: `${m.label} — ${reason ? reason : price}`,
        usable: reason === null,
        reason,
        view: m,
      };
    });
    // A saved model the deployment does not list (not pulled any more, say) stays visible.
    if (chosen && !listed.some((m) => m.id === chosen)) {
      options.unshift({
        id: chosen,
        text: `${chosen} — not offered by this deployment`,
        usable: false,
        reason: 'not offered by this deployment',
        view: null,
      });
    }
    return options;
  });

  protected readonly selected = computed(
    () => this.modelOptions().find((o) => o.id === this.value().model) ?? null,
  );

  protected readonly providerLabel = computed(() => {
    const p = this.value().provider;
    return p ? providerName(p) : '';
  });

  protected priceText = priceText;

  protected onProvider(id: string): void {
    if (!id) {
      this.value.set({});
      return;
    }
    const provider = id as LlmProviderName;
    const models = this.providers()?.providers.find((p) => p.id === provider)?.models ?? [];
    const role = this.modelRole();
    const pick =
      models.find((m) => m.isDefault && reasonFor(m, role) === null) ??
      models.find((m) => reasonFor(m, role) === null) ??
      models[0];
    this.value.set({ provider, ...(pick ? { model: pick.id } : {}) });
  }

  protected onModel(id: string): void {
    this.value.set({ ...this.value(), model: id });
  }
}
