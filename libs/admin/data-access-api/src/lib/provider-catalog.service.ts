import { inject, Injectable, signal } from '@angular/core';
import type { AgentSettings, LlmProviderName, ProviderListView } from '@autocoder/shared-contracts';
import { firstValueFrom } from 'rxjs';
import { type ApiError, toApiError } from './api-error';
import { AutocoderApi } from './autocoder-api.service';

/** A provider and model as a badge shows them. */
export interface ProviderModel {
  provider: LlmProviderName;
  model: string;
  /** True when the project chose none: it runs on the deployment's default. */
  inherited: boolean;
}

/**
 * The deployment's providers and models, loaded once and shared by the top bar, the project
 * badges and the model pickers (the api caches the list for a minute; `refresh` asks it anew).
 */
@Injectable({ providedIn: 'root' })
export class ProviderCatalog {
  private readonly api = inject(AutocoderApi);
  readonly list = signal<ProviderListView | null>(null);
  readonly error = signal<ApiError | null>(null);
  private loading: Promise<void> | undefined;

  /** Loads the list unless it is loaded or loading. */
  ensure(): Promise<void> {
    if (this.list()) return Promise.resolve();
    this.loading ??= this.fetch(false).finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** Loads again; `rebuild` (admins) makes the api ask the providers again. */
  reload(rebuild = false): Promise<void> {
    return this.fetch(rebuild);
  }

  private async fetch(rebuild: boolean): Promise<void> {
    try {
      const view = await firstValueFrom(
        rebuild ? this.api.refreshProviders() : this.api.listProviders(),
      );
      this.list.set(view);
      this.error.set(null);
    } catch (err) {
      this.error.set(toApiError(err));
    }
  }

  /**
   * What a project's coding sessions run on: its own choice, else the deployment's default
   * (null while the list is unknown and the project chose nothing).
   */
  effective(agents: Pick<AgentSettings, 'provider' | 'model'>): ProviderModel | null {
    const active = this.list()?.active;
    if (agents.provider) {
      const model =
        agents.model ??
        this.list()
          ?.providers.find((p) => p.id === agents.provider)
          ?.models.find((m) => m.isDefault)?.id ??
        (agents.provider === active?.provider ? active.model : 'default model');
      return { provider: agents.provider, model, inherited: false };
    }
    return active ? { ...active, inherited: true } : null;
  }
}
