import { RunsModule } from '@autocoder/server-runs';
import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from './clock';
import { ScheduleJobSchedulers } from './schedule-job-schedulers.service';
import { ScheduleStateService } from './schedule-state.service';
import { ScheduleService } from './schedule.service';

/** Schedules: state, CRUD and views, and the BullMQ job schedulers at window edges. */
@Module({
  imports: [RunsModule],
  providers: [
    { provide: CLOCK, useValue: systemClock },
    ScheduleStateService,
    ScheduleService,
    ScheduleJobSchedulers,
  ],
  exports: [CLOCK, ScheduleStateService, ScheduleService, ScheduleJobSchedulers],
})
export class SchedulesModule {}
