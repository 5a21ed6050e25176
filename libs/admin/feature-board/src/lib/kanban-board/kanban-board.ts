import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import {
  type BoardColumn,
  FEATURE_STATUSES,
  type FeatureStatus,
  type FeatureView,
} from '@autocoder/shared-contracts';

export const COLUMN_TITLES: Record<FeatureStatus, string> = {
  pending: 'Pending',
  in_progress: 'In progress',
  needs_input: 'Needs input',
  passing: 'Passing',
  failing: 'Failing',
};

/** The backlog as five status columns, each card a feature in priority order. */
@Component({
  selector: 'ac-kanban-board',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './kanban-board.html',
  styleUrl: './kanban-board.css',
})
export class KanbanBoard {
  readonly columns = input.required<BoardColumn[]>();
  /** Words for the sessions holding in-progress cards, by run id ("coding session on host:1"). */
  readonly holders = input<Record<string, string>>({});

  protected readonly titles = COLUMN_TITLES;
  protected readonly expandedId = signal<string | null>(null);

  /** Always five columns in workflow order, even if the api leaves one out. */
  protected readonly orderedColumns = computed(() => {
    const byStatus = new Map(this.columns().map((c) => [c.status, c]));
    return FEATURE_STATUSES.map(
      (status): BoardColumn => byStatus.get(status) ?? { status, total: 0, items: [] },
    );
  });

  /** Names of the features on the board, to show dependencies by name. */
  private readonly names = computed(() => {
    const names = new Map<string, string>();
    for (const column of this.columns()) {
      for (const feature of column.items) names.set(feature.id, feature.name);
    }
    return names;
  });

  protected dependencyNames(feature: FeatureView): string[] {
    const names = this.names();
    return feature.dependsOn.map((id) => names.get(id) ?? id.slice(0, 8));
  }

  protected toggle(feature: FeatureView): void {
    this.expandedId.update((current) => (current === feature.id ? null : feature.id));
  }
}
