// The providers and models a deployment can call, from its configuration and what its Ollama host
// says it has pulled. Prices and tool support come from the model catalogue that cost accounting
// uses, so the list and the spend never disagree.
import type {
  LlmProviderName,
  ModelRole,
  ModelView,
  ProviderListView,
  ProviderView,
} from '@autocoder/shared-contracts';
import { Ollama } from 'ollama';
import { catalogueEntry, MODEL_CATALOGUE } from './model-catalogue';

/** What of the configuration decides the list (the runner builds its providers from the same). */
export interface ProviderDeployment {
  /** LLM_PROVIDER: the default provider of sessions and chats. */
  mode: 'anthropic' | 'demo';
  anthropicKey: boolean;
  /** ANTHROPIC_MODEL: the default model (of the demo too). */
  anthropicModel: string;
  geminiKey: boolean;
  geminiModel: string;
  /** GEMINI_TOOL_MODELS. */
  geminiToolModels: readonly string[];
  ollamaHost: string;
  /** OLLAMA_MODEL, the default local model. */
  ollamaModel?: string;
}

/** GET /api/tags of the Ollama host: the models it has, or why it did not answer. */
export type OllamaTags = { ok: true; models: string[] } | { ok: false; reason: string };

/** Lists the Ollama host's models with the real client; never throws. */
export async function fetchOllamaTags(host: string, timeoutMs: number): Promise<OllamaTags> {
  const client = new Ollama({
    host,
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
  });
  try {
    const { models } = await client.list();
    return { ok: true, models: models.map((m) => m.name).sort() };
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string } };
    const reason =
      e.name === 'TimeoutError' || e.name === 'AbortError'
        ? `no answer within ${timeoutMs} ms`
        : (e.cause?.code ?? e.message ?? String(err));
    return { ok: false, reason: `Ollama at ${host} is not reachable (${reason})` };
  }
}

const PROVIDER_LABELS: Readonly<Record<LlmProviderName, string>> = {
  anthropic: 'Anthropic',
  gemini: 'Gemini',
  ollama: 'Ollama',
  demo: 'Demo (offline)',
};

const ALL_ROLES: readonly ModelRole[] = ['initializer', 'coding', 'testing', 'chat'];

/** "claude-sonnet-5-5" → "Claude Sonnet 5.5", "gemini-2.5-flash" → "Gemini 2.5 Flash". */
export function modelLabel(id: string): string {
  const [name, tag] = id.split(':');
  const words = (name ?? id).split('-');
  const out: string[] = [];
  for (const w of words) {
    const prev = out[out.length - 1];
    // Version parts written with dashes (5-5) read as 5.5.
    if (/^\d+$/.test(w) && prev !== undefined && /^\d+(\.\d+)?$/.test(prev)) {
      out[out.length - 1] = `${prev}.${w}`;
    } else {
      out.push(w.charAt(0).toUpperCase() + w.slice(1));
    }
  }
  const label = out.join(' ');
  return tag && tag !== 'latest' ? `${label} (${tag})` : label;
}

function model(
  provider: LlmProviderName,
  id: string,
  tools: boolean,
  isDefault: boolean,
  unavailableReason: string | null = null,
): ModelView {
  const entry = catalogueEntry(id);
  return {
    id,
    label: modelLabel(id),
    provider,
    available: unavailableReason === null,
    unavailableReason,
    inputPerMTok: entry?.inputPerMTok ?? null,
    outputPerMTok: entry?.outputPerMTok ?? null,
    contextWindow: entry?.contextWindow ?? null,
    tools,
    roles: tools ? [...ALL_ROLES] : ['chat'],
    isDefault,
  };
}

function catalogueIds(provider: 'anthropic' | 'gemini', first: string): string[] {
  const ids = Object.entries(MODEL_CATALOGUE)
    .filter(([, m]) => m.provider === provider)
    .map(([id]) => id);
  return [first, ...ids.filter((id) => id !== first)];
}

function provider(
  id: LlmProviderName,
  active: boolean,
  unavailableReason: string | null,
  models: ModelView[],
): ProviderView {
  return {
    id,
    label: PROVIDER_LABELS[id],
    available: unavailableReason === null,
    unavailableReason,
    active,
    models: unavailableReason
      ? models.map((m) => ({ ...m, available: false, unavailableReason }))
      : models,
  };
}

/**
 * The deployment's providers: the demo (when it runs on it), Anthropic, Gemini and Ollama, each
 * with its models; unavailable ones say why. Claude and the demo always call tools; Gemini only
 * for GEMINI_TOOL_MODELS (else chat-only, as the runner treats it); an Ollama model when the
 * catalogue marks it tool-capable.
 */
export function deploymentProviders(
  d: ProviderDeployment,
  ollama: OllamaTags,
  meta: { checkedAt: Date; ttlSeconds: number },
): ProviderListView {
  const demo = d.mode === 'demo';
  const toolModels = new Set(d.geminiToolModels);
  const catalogued = (id: string) => catalogueEntry(id)?.tools === true;
  const pulled = ollama.ok ? ollama.models : [];
  const defaultOllama = d.ollamaModel ?? pulled[0];
  const ollamaModels = pulled.map((id) =>
    model('ollama', id, catalogued(id), id === defaultOllama),
  );
  if (d.ollamaModel && !pulled.includes(d.ollamaModel)) {
    const reason = ollama.ok ? `not pulled on ${d.ollamaHost}` : null;
    ollamaModels.unshift(model('ollama', d.ollamaModel, catalogued(d.ollamaModel), true, reason));
  }
  const anthropicReason = demo
    ? 'the deployment runs the offline demo (LLM_PROVIDER=demo)'
    : d.anthropicKey
      ? null
      : 'ANTHROPIC_API_KEY is not set';
  const ollamaReason = !ollama.ok
    ? ollama.reason
    : ollamaModels.length > 0
      ? null
      : `no models pulled on ${d.ollamaHost}`;
  const providers = [
    provider(
      'anthropic',
      !demo,
      anthropicReason,
      catalogueIds('anthropic', d.anthropicModel).map((id) =>
        model('anthropic', id, true, id === d.anthropicModel),
      ),
    ),
    provider(
      'gemini',
      false,
      d.geminiKey || demo ? null : 'GEMINI_API_KEY is not set',
      catalogueIds('gemini', d.geminiModel).map((id) =>
        model('gemini', id, catalogued(id) || toolModels.has(id), id === d.geminiModel),
      ),
    ),
    provider('ollama', false, ollamaReason, ollamaModels),
  ];
  if (demo) {
    providers.unshift(provider('demo', true, null, [model('demo', d.anthropicModel, true, true)]));
  }
  return {
    active: { provider: demo ? 'demo' : 'anthropic', model: d.anthropicModel },
    providers,
    checkedAt: meta.checkedAt.toISOString(),
    ttlSeconds: meta.ttlSeconds,
  };
}
