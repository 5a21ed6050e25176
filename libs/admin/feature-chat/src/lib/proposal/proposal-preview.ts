import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import {
  type ApiError,
  AuthSession,
  AutocoderApi,
  toApiError,
} from '@autocoder/admin-data-access-api';
import { ErrorPanel } from '@autocoder/admin-ui';
import { firstValueFrom } from 'rxjs';
import type { Proposal } from '../outcomes/chat-outcomes';

/** Where the features added from a proposal are remembered, so a reload does not add them twice. */
const ADDED_KEY = (messageId: string) => `ac.chat.proposal.${messageId}`;

/**
 * The expander's proposal: the features with their dependencies (on each other and on features
 * already in the backlog), then one click that adds them through the backlog API, each after
 * the ones it depends on. A failure half-way keeps what was added; the click resumes the rest.
 */
@Component({
  selector: 'ac-proposal-preview',
  imports: [ErrorPanel, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './proposal-preview.html',
  styleUrl: './proposal-preview.css',
})
export class ProposalPreview {
  readonly projectId = input.required<string>();
  readonly proposal = input.required<Proposal>();

  private readonly api = inject(AutocoderApi);
  protected readonly canChange = inject(AuthSession).canChange;

  /** Ids of the features added so far, by index in the proposal. */
  protected readonly added = signal<ReadonlyMap<number, string>>(new Map());
  protected readonly adding = signal(false);
  protected readonly error = signal<ApiError | null>(null);
  /** Names of the existing features the proposal depends on, by id. */
  protected readonly existing = signal<ReadonlyMap<string, string>>(new Map());

  protected readonly done = computed(() => this.added().size === this.proposal().features.length);

  constructor() {
    effect(() => {
      const proposal = this.proposal();
      this.added.set(readAdded(proposal.messageId));
      this.error.set(null);
      void this.loadExisting(proposal);
    });
  }

  protected nameOf(index: number): string {
    return this.proposal().features[index]?.name ?? `#${index + 1}`;
  }

  protected async addAll(): Promise<void> {
    const proposal = this.proposal();
    this.adding.set(true);
    this.error.set(null);
    const added = new Map(this.added());
    try {
      for (const index of proposal.order) {
        if (added.has(index)) continue;
        const f = proposal.features[index];
        if (!f) continue;
        const created = await firstValueFrom(
          this.api.createFeature(this.projectId(), {
            category: f.category,
            name: f.name,
            description: f.description,
            steps: f.steps,
            dependsOn: [
              ...f.dependsOn.map((d) => added.get(d)).filter((id): id is string => !!id),
              ...f.dependsOnExisting,
            ],
          }),
        );
        added.set(index, created.id);
        this.added.set(new Map(added));
        writeAdded(proposal.messageId, added);
      }
    } catch (err) {
      this.error.set(toApiError(err));
    } finally {
      this.adding.set(false);
    }
  }

  private async loadExisting(proposal: Proposal): Promise<void> {
    const ids = [...new Set(proposal.features.flatMap((f) => f.dependsOnExisting))];
    const names = new Map<string, string>();
    await Promise.all(
      ids.map(async (id) => {
        const feature = await firstValueFrom(this.api.getFeature(this.projectId(), id)).catch(
          () => null,
        );
        names.set(id, feature?.name ?? `feature ${id.slice(0, 8)}`);
      }),
    );
    this.existing.set(names);
  }
}

function readAdded(messageId: string): Map<number, string> {
  try {
    const raw = localStorage.getItem(ADDED_KEY(messageId));
    return new Map(raw ? (JSON.parse(raw) as [number, string][]) : []);
  } catch {
    return new Map();
  }
}

function writeAdded(messageId: string, added: ReadonlyMap<number, string>): void {
  try {
    localStorage.setItem(ADDED_KEY(messageId), JSON.stringify([...added]));
  } catch {
    // Private mode or a full store: only a reload forgets it.
  }
}
