import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, output } from '@angular/core';
import { ProviderCatalog } from '@autocoder/admin-data-access-api';
import { LiveIndicator, ProgressBar, ProviderBadge, StatusBadge } from '@autocoder/admin-ui';
import { FEATURE_STATUSES, type ProjectView, type RunView } from '@autocoder/shared-contracts';
import { AgentControls } from '../agent-controls/agent-controls';
import { COLUMN_TITLES } from '../kanban-board/kanban-board';
import { activityLabel } from './activity-label';

/**
 * The top of a project page: what is happening now in one sentence and a badge, the agents'
 * provider and model, how "passing" is verified, progress, and (for admins) the controls.
 */
@Component({
  selector: 'ac-project-header',
  imports: [DatePipe, StatusBadge, ProgressBar, AgentControls, LiveIndicator, ProviderBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './project-header.html',
  styleUrl: './project-header.css',
})
export class ProjectHeader {
  readonly project = input.required<ProjectView>();
  /** True while sessions are in flight and the page refreshes fast. */
  readonly live = input(false);
  readonly changed = output<ProjectView>();
  readonly initializerStarted = output<RunView>();

  protected readonly statuses = FEATURE_STATUSES;
  protected readonly titles = COLUMN_TITLES;
  protected readonly badge = computed(() => activityLabel(this.project().activity));
  private readonly catalog = inject(ProviderCatalog);
  /** The coding agents' provider and model: the project's choice or the deployment default. */
  protected readonly coding = computed(() => this.catalog.effective(this.project().agents));
  /** The testing agents', when the project gave them their own. */
  protected readonly testing = computed(() => {
    const t = this.project().agents.testing;
    return t?.provider ? this.catalog.effective(t) : null;
  });
  protected readonly providerModel = computed(() => {
    const { provider, model } = this.project().agents;
    if (!provider && !model) return 'default provider and model';
    return `${provider ?? 'default provider'} · ${model ?? 'default model'}`;
  });
  protected readonly progressLabel = computed(() => {
    const project = this.project();
    return `${project.counts.passing} / ${project.total} passing (${Math.round(project.progress)}%)`;
  });
}
