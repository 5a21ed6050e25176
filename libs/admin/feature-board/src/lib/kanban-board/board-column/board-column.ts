import { DecimalPipe } from '@angular/common';
import {
  afterRenderEffect,
  ChangeDetectionStrategy,
  Component,
  computed,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';
import {
  CdkFixedSizeVirtualScroll,
  CdkVirtualForOf,
  CdkVirtualScrollViewport,
} from '@angular/cdk/scrolling';
import type { FeatureStatus, FeatureView } from '@autocoder/shared-contracts';
import { type AnswerState, FeatureCard } from '../feature-card/feature-card';
import type { MoveDirection } from '../reorder';

/** Height of one card slot in a virtualised column (card plus gap); the card CSS fits it. */
export const CARD_SLOT_PX = 126;
/** Start loading the next page this many cards before the end, so scrolling rarely waits. */
export const PREFETCH_CARDS = 15;
/** The plain (needs-input) list renders this many cards more each time its end comes near. */
export const LIST_STEP = 10;

const NO_ANSWER: AnswerState = { busy: false, error: null };

export interface CardMove {
  feature: FeatureView;
  direction: MoveDirection;
}

export interface CardAnswer {
  feature: FeatureView;
  values: Record<string, string | boolean>;
}

/**
 * One status column. Its cards are virtualised (only those in view are in the DOM), so a column
 * of thousands scrolls like one of ten; near the end it asks for the next page. The needs-input
 * column holds answer forms of any height, so it is a plain list that renders ten cards more as
 * its end comes near (a whole form per card is too heavy to render fifty at a time).
 */
@Component({
  selector: 'ac-board-column',
  imports: [
    DecimalPipe,
    CdkVirtualScrollViewport,
    CdkFixedSizeVirtualScroll,
    CdkVirtualForOf,
    FeatureCard,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './board-column.html',
  styleUrl: './board-column.css',
})
export class BoardColumn {
  readonly status = input.required<FeatureStatus>();
  readonly title = input.required<string>();
  /** The cards to show (the loaded ones that match the filter being typed). */
  readonly items = input.required<FeatureView[]>();
  /** Cards loaded from the api and the column's total under the current filter. */
  readonly loaded = input.required<number>();
  readonly total = input.required<number>();
  readonly loading = input(false);
  readonly pageError = input<string | null>(null);
  readonly collapsible = input(false);
  readonly collapsed = input(false);
  readonly canAnswer = input(false);
  readonly answers = input<ReadonlyMap<string, AnswerState>>(new Map());
  /** Cards can be moved up and down (admins, in a column whose order is the queue's). */
  readonly canMove = input(false);
  readonly moving = input(false);

  readonly nearEnd = output<void>();
  readonly toggleCollapsed = output<void>();
  readonly answered = output<CardAnswer>();
  readonly moved = output<CardMove>();

  protected readonly slotPx = CARD_SLOT_PX;
  protected readonly virtual = computed(() => this.status() !== 'needs_input');
  /** More cards to come from the api, or loaded ones the plain list has not rendered yet. */
  protected readonly hasMore = computed(
    () =>
      this.loaded() < this.total() || (!this.virtual() && this.listLimit() < this.items().length),
  );
  /** How many cards the plain list renders. */
  private readonly listLimit = signal(LIST_STEP);
  protected readonly listItems = computed(() => this.items().slice(0, this.listLimit()));
  /** As tall as its cards, up to the column's maximum (CSS), so short columns stay short. */
  protected readonly viewportHeight = computed(
    () => `min(${Math.max(this.items().length, 1) * CARD_SLOT_PX}px, var(--ac-board-column-max))`,
  );

  private readonly viewport = viewChild(CdkVirtualScrollViewport);

  constructor() {
    // The viewport measures itself only on window resizes; its height follows the card count
    // (a filter, a new page), so it is told to measure again after such a change is rendered.
    afterRenderEffect({
      read: () => {
        this.viewportHeight();
        this.viewport()?.checkViewportSize();
      },
    });
  }

  protected answerOf(feature: FeatureView): AnswerState {
    return this.answers().get(feature.id) ?? NO_ANSWER;
  }

  protected trackById(_index: number, feature: FeatureView): string {
    return feature.id;
  }

  /** The virtual viewport scrolled: ask for more once the last loaded cards come into view. */
  protected onScrolledIndex(firstVisible: number): void {
    const viewport = this.viewport();
    const visible = viewport ? Math.ceil(viewport.getViewportSize() / CARD_SLOT_PX) : 0;
    this.requestMoreIfNear(firstVisible + visible);
  }

  /** The plain list scrolled. */
  protected onListScroll(event: Event): void {
    const list = event.target as HTMLElement;
    const remainingPx = list.scrollHeight - list.scrollTop - list.clientHeight;
    if (remainingPx < PREFETCH_CARDS * CARD_SLOT_PX) this.loadMore();
  }

  protected loadMore(): void {
    if (!this.virtual() && this.listLimit() < this.items().length) {
      this.listLimit.set(this.listItems().length + LIST_STEP);
    } else if (this.loaded() < this.total() && !this.loading()) {
      this.nearEnd.emit();
    }
  }

  private requestMoreIfNear(lastVisible: number): void {
    if (lastVisible >= this.items().length - PREFETCH_CARDS) this.loadMore();
  }
}
