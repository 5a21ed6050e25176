import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import {
  describeRule,
  wallClock,
  WEEK,
  type WeekSegment,
  weekSegments,
} from '../format/schedule-format';

const DAY_MINUTES = 24 * 60;

interface Row {
  day: number;
  short: string;
  long: string;
  bars: { left: string; width: string }[];
}

/**
 * A week of one schedule, 7 rows × 24 hours on the schedule's own wall clock, its windows drawn
 * as bars (a window past midnight goes on in the next row) and, when given, a marker at the
 * current time in that zone. A picture only: the same facts are in the text beside it, and the
 * figure's label says them for screen readers.
 */
@Component({
  selector: 'ac-week-strip',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <figure class="strip" role="img" [attr.aria-label]="label()" data-testid="week-strip">
      <div class="hours" aria-hidden="true">
        <span></span>
        <span class="ticks">
          @for (h of hourTicks; track h) {
            <span class="tick" [style.left.%]="(h / 24) * 100">{{ h }}</span>
          }
        </span>
      </div>
      @for (row of rows(); track row.day) {
        <div class="row" aria-hidden="true" [class.today]="now()?.day === row.day">
          <span class="day">{{ row.short }}</span>
          <span class="track">
            @for (bar of row.bars; track $index) {
              <span
                class="bar"
                [class.off]="!enabled()"
                [style.left]="bar.left"
                [style.width]="bar.width"
              ></span>
            }
            @if (now(); as n) {
              @if (n.day === row.day) {
                <span
                  class="now"
                  data-testid="week-strip-now"
                  [style.left.%]="(n.minutes / 1440) * 100"
                ></span>
              }
            }
          </span>
        </div>
      }
    </figure>
  `,
  styles: `
    :host {
      display: block;
      min-width: 0;
    }
    .strip {
      margin: 0;
      display: grid;
      gap: 3px;
      font-size: 0.7rem;
      color: var(--ac-muted);
    }
    .hours,
    .row {
      display: grid;
      grid-template-columns: 2.2rem 1fr;
      align-items: center;
    }
    .ticks {
      position: relative;
      height: 1em;
    }
    .tick {
      position: absolute;
      transform: translateX(-50%);
      font-variant-numeric: tabular-nums;
    }
    .tick:first-child {
      transform: none;
    }
    .track {
      position: relative;
      height: 12px;
      border-radius: 3px;
      background:
        repeating-linear-gradient(
          to right,
          transparent 0,
          transparent calc(25% - 1px),
          var(--ac-border) calc(25% - 1px),
          var(--ac-border) 25%
        ),
        var(--ac-surface-sunken);
    }
    .row.today .day {
      color: var(--ac-text);
      font-weight: 650;
    }
    .bar {
      position: absolute;
      top: 0;
      bottom: 0;
      border-radius: 3px;
      background: var(--ac-status-active);
    }
    .bar.off {
      background: var(--ac-status-pending);
    }
    .now {
      position: absolute;
      top: -3px;
      bottom: -3px;
      width: 2px;
      margin-left: -1px;
      background: var(--ac-status-waiting);
    }
  `,
})
export class WeekStrip {
  readonly daysOfWeek = input.required<readonly number[]>();
  readonly startTime = input.required<string>();
  readonly durationMinutes = input.required<number>();
  readonly timeZone = input.required<string>();
  readonly enabled = input(true);
  /** Epoch ms to mark on the strip (in the schedule's zone); null: no marker. */
  readonly at = input<number | null>(null);

  protected readonly hourTicks = [0, 6, 12, 18];

  protected readonly rows = computed<Row[]>(() => {
    const segments = weekSegments({
      daysOfWeek: this.daysOfWeek(),
      startTime: this.startTime(),
      durationMinutes: this.durationMinutes(),
    });
    return WEEK.map((d) => ({
      day: d.value,
      short: d.short,
      long: d.long,
      bars: segments.filter((s) => s.day === d.value).map(bar),
    }));
  });

  protected readonly now = computed(() => {
    const at = this.at();
    if (at === null) return null;
    try {
      return wallClock(at, this.timeZone());
    } catch {
      return null; // a zone being typed into the form
    }
  });

  protected readonly label = computed(
    () =>
      `Week of this schedule in ${this.timeZone()}: ${describeRule({
        daysOfWeek: this.daysOfWeek(),
        startTime: this.startTime(),
        durationMinutes: this.durationMinutes(),
      })}${this.enabled() ? '' : ' (disabled)'}`,
  );
}

function bar(s: WeekSegment): { left: string; width: string } {
  return {
    left: `${(s.from / DAY_MINUTES) * 100}%`,
    width: `${((s.to - s.from) / DAY_MINUTES) * 100}%`,
  };
}
