import { ChangeDetectionStrategy, Component, computed, inject, input, output } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { type HumanInputAnswer, HumanInputForm } from '@autocoder/admin-ui';
import type { FeatureView, HumanInputRequest } from '@autocoder/shared-contracts';
import type { MoveDirection } from '../reorder';
import { humanInputRequestOf } from './human-input-request';

/** Controls inside a card keep their own clicks and keys; the rest of the card opens the feature. */
const OWN_INTERACTION = 'a, button, input, select, textarea, label, form';

/** Where an answer to the card's question stands (kept by the board, keyed by feature). */
export interface AnswerState {
  busy: boolean;
  error: string | null;
}

/**
 * One feature on the board. The card is one tab stop; Enter, Space or a click opens the feature's
 * side panel (no RouterLink per card: each one recomputes its URL on every navigation, and the
 * filter navigates on each settled keystroke). An in-progress card names the session holding it; a card waiting for a person shows
 * the agent's question, and for admins the form to answer it right here.
 */
@Component({
  selector: 'ac-feature-card',
  imports: [RouterLink, HumanInputForm],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './feature-card.html',
  styleUrl: './feature-card.css',
})
export class FeatureCard {
  private readonly router = inject(Router);

  readonly feature = input.required<FeatureView>();
  /** Admins answer questions on the card; viewers see the question only. */
  readonly canAnswer = input(false);
  readonly answerState = input<AnswerState>({ busy: false, error: null });
  readonly answered = output<HumanInputAnswer>();
  /** Admins move pending and failing cards within their column (the queue's order). */
  readonly canMove = input(false);
  readonly canMoveUp = input(false);
  readonly canMoveDown = input(false);
  /** A move is on its way: the buttons wait for it. */
  readonly moving = input(false);
  readonly moved = output<MoveDirection>();

  protected readonly question = computed<HumanInputRequest | null>(() => {
    const feature = this.feature();
    return feature.status === 'needs_input' ? humanInputRequestOf(feature.humanInput) : null;
  });
  protected readonly heldBy = computed(() => {
    const feature = this.feature();
    return feature.status === 'in_progress' ? (feature.heldBy?.runId ?? null) : null;
  });

  protected runLink(runId: string): string[] {
    return ['/projects', this.feature().projectId, 'runs', runId];
  }

  protected onClick(event: MouseEvent): void {
    if (this.isOwnInteraction(event)) return;
    void this.open();
  }

  protected onKeydown(event: KeyboardEvent): void {
    // Only the card itself: Space typed into the answer form is text, not "open".
    if (event.target !== event.currentTarget) return;
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault(); // Space would scroll the column
    void this.open();
  }

  private isOwnInteraction(event: Event): boolean {
    const target = event.target as Element | null;
    const card = event.currentTarget as Element | null;
    const control = target?.closest(OWN_INTERACTION);
    return !!control && !!card && card.contains(control) && control !== card;
  }

  /** The filter in the URL stays, so closing the panel returns to the same board. */
  private open(): Promise<boolean> {
    const feature = this.feature();
    return this.router.navigate(['/projects', feature.projectId, 'features', feature.id], {
      queryParamsHandling: 'preserve',
    });
  }
}
