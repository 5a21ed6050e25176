import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { ApiError, AutocoderApi, poll } from '@autocoder/admin-data-access-api';
import {
  Chart,
  ChartPaletteService,
  formatSeconds,
  formatUsd,
  StatTile,
} from '@autocoder/admin-ui-charts';
import { ErrorPanel, LoadingIndicator, StatusBadge } from '@autocoder/admin-ui';
import type { FleetSessionView, FleetView } from '@autocoder/shared-contracts';
import { Subject } from 'rxjs';
import { fleetSummary, sessionsPerHourOptions } from './fleet-charts';

/** The fleet changes with every session; a glance every few seconds is enough. */
export const FLEET_POLL_MS = 10_000;

@Component({
  selector: 'ac-fleet-page',
  imports: [DatePipe, RouterLink, Chart, StatTile, ErrorPanel, LoadingIndicator, StatusBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './fleet-page.html',
  styleUrl: './fleet-page.css',
})
export class FleetPage {
  private readonly api = inject(AutocoderApi);
  private readonly palette = inject(ChartPaletteService).palette;
  private readonly reload$ = new Subject<void>();

  protected readonly fleet = signal<FleetView | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  protected readonly summary = computed(() => {
    const f = this.fleet();
    return f ? fleetSummary(f) : undefined;
  });
  protected readonly perHourOptions = computed(() =>
    sessionsPerHourOptions(this.fleet()?.sessionsPerHour ?? [], this.palette()),
  );

  constructor() {
    poll(
      () => this.api.getFleet(),
      () => FLEET_POLL_MS,
      this.reload$,
    )
      .pipe(takeUntilDestroyed())
      .subscribe((result) => {
        if (result.ok) {
          this.fleet.set(result.value);
          this.error.set(undefined);
        } else {
          this.error.set(result.error);
        }
      });
  }

  protected readonly formatUsd = formatUsd;

  protected retry(): void {
    this.reload$.next();
  }

  /** "for 12 min": how long a session has run, as of the fleet's answer. */
  protected runningFor(session: FleetSessionView): string {
    const f = this.fleet();
    if (!session.startedAt || !f) return '';
    const seconds = (Date.parse(f.generatedAt) - Date.parse(session.startedAt)) / 1000;
    return `for ${formatSeconds(Math.max(0, seconds))}`;
  }
}
