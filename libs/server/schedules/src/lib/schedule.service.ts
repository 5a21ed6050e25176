import { invalid, notFound, ProjectsService } from '@autocoder/server-projects';
import { Schedule, ScheduleRepository, ScheduleRule } from '@autocoder/server-db';
import {
  CreateScheduleInput,
  ScheduleSchema,
  ScheduleView,
  UpdateScheduleInput,
} from '@autocoder/shared-contracts';
import { Inject, Injectable } from '@nestjs/common';
import { Clock, CLOCK } from './clock';
import { ScheduleJobSchedulers } from './schedule-job-schedulers.service';
import { ScheduleStateService } from './schedule-state.service';
import { scheduleView } from './schedule-view';

/**
 * Per-project schedules: weekly windows (days, local start time, duration, time zone) in which
 * the project's agents run. A change commits only together with its start edge's job scheduler
 * (503 without Redis); what the windows do to the agents is the ScheduleReconciler's.
 */
@Injectable()
export class ScheduleService {
  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly projects: ProjectsService,
    private readonly jobSchedulers: ScheduleJobSchedulers,
    private readonly state: ScheduleStateService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(projectId: string, input: CreateScheduleInput): Promise<ScheduleView> {
    await this.projects.require(projectId);
    const rule = validate(input);
    const schedule = await this.schedules.create(projectId, rule, (row) =>
      this.jobSchedulers.sync(row),
    );
    return this.view(schedule);
  }

  async list(projectId: string): Promise<ScheduleView[]> {
    await this.projects.require(projectId);
    const rows = await this.schedules.listOf(projectId);
    const settings = (await this.state.load([projectId])).get(projectId);
    const now = this.clock.now();
    return rows.map((r) => scheduleView(r, settings, now));
  }

  async get(projectId: string, scheduleId: string): Promise<ScheduleView> {
    return this.view(await this.require(projectId, scheduleId));
  }

  /** Changes fields; the result must be a valid schedule as a whole (400 naming the field). */
  async update(
    projectId: string,
    scheduleId: string,
    input: UpdateScheduleInput,
  ): Promise<ScheduleView> {
    const current = await this.require(projectId, scheduleId);
    const rule = validate({
      daysOfWeek: input.daysOfWeek ?? current.daysOfWeek,
      startTime: input.startTime ?? current.startTime,
      durationMinutes: input.durationMinutes ?? current.durationMinutes,
      timeZone: input.timeZone ?? current.timeZone,
      enabled: input.enabled ?? current.enabled,
    });
    const schedule = await this.schedules.update(scheduleId, rule, (row) =>
      this.jobSchedulers.sync(row),
    );
    // Deleted meanwhile.
    if (!schedule) throw notFound('schedule', scheduleId);
    if (!schedule.enabled) {
      await this.state.release(projectId, scheduleId, 'the schedule was disabled');
    }
    return this.view(schedule);
  }

  async remove(projectId: string, scheduleId: string): Promise<void> {
    await this.require(projectId, scheduleId);
    await this.schedules.delete(scheduleId, () => this.jobSchedulers.remove(scheduleId));
    await this.state.release(projectId, scheduleId, 'the schedule was deleted');
  }

  private async require(projectId: string, scheduleId: string): Promise<Schedule> {
    await this.projects.require(projectId);
    const schedule = await this.schedules.findInProject(projectId, scheduleId);
    if (!schedule) throw notFound('schedule', scheduleId);
    return schedule;
  }

  private async view(schedule: Schedule): Promise<ScheduleView> {
    const settings = (await this.state.load([schedule.projectId])).get(schedule.projectId);
    return scheduleView(schedule, settings, this.clock.now());
  }
}

/** The schedule as stored (days sorted), or a 400 naming each invalid field. */
function validate(candidate: Record<string, unknown>): ScheduleRule {
  const parsed = ScheduleSchema.safeParse(candidate);
  if (!parsed.success) {
    throw invalid(
      'The schedule is not valid.',
      parsed.error.issues.map((i) => ({
        path: ['body', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  }
  return { ...parsed.data, daysOfWeek: [...parsed.data.daysOfWeek].sort((a, b) => a - b) };
}
