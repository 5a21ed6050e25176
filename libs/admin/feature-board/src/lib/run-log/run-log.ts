import { ScrollingModule, CdkVirtualScrollViewport } from '@angular/cdk/scrolling';
import { DatePipe, JsonPipe } from '@angular/common';
import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  Injector,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import type { RunEventView } from '@autocoder/shared-contracts';
import { eventKey, hasDetail, levelRank, type LogLevelFilter, summarize } from './log-lines';

/** Every row is one line of this height, so the virtual list knows where each one is. */
export const LOG_ROW_PX = 30;

interface LogRow {
  key: string;
  event: RunEventView;
  line: string;
  expandable: boolean;
}

/**
 * A run's event log: one line per event in a virtual list (smooth with tens of thousands), the
 * selected event's detail (full message, tool input or result) in a pane beneath, filters by
 * level and type, and follow mode: while the reader is at the bottom, new events scroll in.
 */
@Component({
  selector: 'ac-run-log',
  imports: [ScrollingModule, DatePipe, JsonPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './run-log.html',
  styleUrl: './run-log.css',
})
export class RunLog {
  /** The run's events in time order; the host appends live ones. */
  readonly events = input.required<RunEventView[]>();

  protected readonly rowPx = LOG_ROW_PX;
  protected readonly minLevel = signal<LogLevelFilter>('debug');
  protected readonly type = signal<string>('');
  protected readonly following = signal(true);
  /** Events that arrived while the reader was scrolled up. */
  protected readonly unseen = signal(0);
  protected readonly selectedKey = signal<string | null>(null);

  protected readonly types = computed(() => {
    const counts = new Map<string, number>();
    for (const e of this.events()) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  });

  protected readonly rows = computed<LogRow[]>(() => {
    const min = levelRank(this.minLevel());
    const type = this.type();
    return this.events()
      .filter((e) => levelRank(e.level) >= min && (!type || e.type === type))
      .map((event) => ({
        key: eventKey(event),
        event,
        line: summarize(event),
        expandable: hasDetail(event),
      }));
  });

  protected readonly selected = computed(() => {
    const key = this.selectedKey();
    return key ? (this.rows().find((r) => r.key === key)?.event ?? null) : null;
  });

  private readonly viewport = viewChild(CdkVirtualScrollViewport);
  private readonly injector = inject(Injector);
  private shownCount = 0;

  constructor() {
    effect(() => {
      const count = this.rows().length;
      untracked(() => {
        const added = count - this.shownCount;
        this.shownCount = count;
        if (this.following()) {
          afterNextRender({ write: () => this.scrollToEnd() }, { injector: this.injector });
        } else if (added > 0) {
          this.unseen.update((n) => n + added);
        }
      });
    });

    effect((onCleanup) => {
      const viewport = this.viewport();
      if (!viewport) return;
      const sub = viewport.elementScrolled().subscribe(() => this.onScrolled(viewport));
      onCleanup(() => sub.unsubscribe());
    });
  }

  protected setLevel(event: Event): void {
    this.minLevel.set((event.target as HTMLSelectElement).value as LogLevelFilter);
  }

  protected setType(event: Event): void {
    this.type.set((event.target as HTMLSelectElement).value);
  }

  protected toggle(row: LogRow): void {
    this.selectedKey.update((key) => (key === row.key ? null : row.key));
  }

  protected setFollow(event: Event): void {
    if ((event.target as HTMLInputElement).checked) this.jumpToNewest();
    else this.following.set(false);
  }

  protected jumpToNewest(): void {
    this.following.set(true);
    this.unseen.set(0);
    this.scrollToEnd();
  }

  protected trackRow(_index: number, row: LogRow): string {
    return row.key;
  }

  private onScrolled(viewport: CdkVirtualScrollViewport): void {
    // Within one row of the end counts as the end: the reader wants to follow.
    const atEnd = viewport.measureScrollOffset('bottom') <= LOG_ROW_PX;
    if (atEnd) {
      this.following.set(true);
      this.unseen.set(0);
    } else {
      this.following.set(false);
    }
  }

  private scrollToEnd(): void {
    const viewport = this.viewport();
    if (!viewport) return;
    const end = this.rows().length * LOG_ROW_PX;
    viewport.scrollToOffset(end);
    // The list sets its new height a moment after rendering; scroll again once it has.
    requestAnimationFrame(() => {
      if (this.following()) viewport.scrollToOffset(end);
    });
  }
}
