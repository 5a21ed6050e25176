import {
  ChangeDetectionStrategy,
  Component,
  computed,
  ElementRef,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { AutocoderApi, poll } from '@autocoder/admin-data-access-api';
import type { PendingQuestionsView } from '@autocoder/shared-contracts';
import { fromEvent } from 'rxjs';

/** Questions change when agents ask or people answer: every 15 s is soon enough for a counter. */
export const QUESTIONS_POLL_MS = 15_000;

/**
 * The top bar's "needs you" counter: how many questions agents wait on across every project,
 * opening a list whose items lead to the waiting feature. It stays visible (quietly) at zero,
 * so the top bar does not shift and people learn where questions will show up.
 */
@Component({
  selector: 'ac-needs-you',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    '(document:click)': 'closeIfOutside($event)',
    '(keydown.escape)': 'closeAndFocus()',
  },
  templateUrl: './needs-you.html',
  styleUrl: './needs-you.css',
})
export class NeedsYou {
  private readonly api = inject(AutocoderApi);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly trigger = viewChild.required<ElementRef<HTMLButtonElement>>('trigger');

  protected readonly questions = signal<PendingQuestionsView | undefined>(undefined);
  protected readonly failed = signal(false);
  protected readonly open = signal(false);
  protected readonly total = computed(() => this.questions()?.total ?? 0);
  /**
   * Read after the visible "Needs you" and count, so the button's name begins with its visible
   * text (speech input finds it by what it shows) and still says what the number means.
   */
  protected readonly spokenSuffix = computed(() => {
    if (this.failed() && !this.questions()) return ' (count unknown)';
    return this.total() === 1 ? ' question waiting' : ' questions waiting';
  });

  constructor() {
    // Coming back to the tab shows the current count at once instead of up to 15 s late.
    const focus$ = typeof window === 'undefined' ? undefined : fromEvent(window, 'focus');
    poll(
      () => this.api.pendingQuestions(),
      () => QUESTIONS_POLL_MS,
      focus$,
    )
      .pipe(takeUntilDestroyed())
      .subscribe((result) => {
        if (result.ok) {
          this.questions.set(result.value);
          this.failed.set(false);
        } else {
          // Keep the last count; the next poll tries again.
          this.failed.set(true);
        }
      });
  }

  protected toggle(): void {
    this.open.update((o) => !o);
  }

  protected close(): void {
    this.open.set(false);
  }

  protected closeAndFocus(): void {
    if (!this.open()) return;
    this.open.set(false);
    this.trigger().nativeElement.focus();
  }

  protected closeIfOutside(event: Event): void {
    if (this.open() && !this.host.nativeElement.contains(event.target as Node)) {
      this.open.set(false);
    }
  }
}
