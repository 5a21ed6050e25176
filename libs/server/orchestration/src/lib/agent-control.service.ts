import { conflict, ProjectsService } from '@autocoder/server-projects';
import {
  PROJECT_TRANSITIONS,
  ProjectEvent,
  ProjectLifecycleService,
  RunLifecycleService,
} from '@autocoder/server-runs';
import { FeaturesRepository, Prisma, UsageRepository } from '@autocoder/server-db';
import { JobQueueService } from '@autocoder/server-queue';
import { SessionSignals } from '@autocoder/server-live-events';
import {
  ProjectStatus,
  ProjectView,
  QueueName,
  StartAgentsInput,
} from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { Dispatcher } from './dispatcher.service';
import { ScheduleStateService } from '@autocoder/server-schedules';

/** Who starts or stops the agents: a person (the agents API) or a project's schedule. */
export type ControlSource = 'manual' | 'schedule';

/**
 * Start, pause, resume and stop a project's agents. Start and resume hand over to the
 * dispatcher; pause lets running sessions finish and starts no more; stop aborts them now (a
 * signal to every runner) and cancels what is queued. A person's start or stop (source manual)
 * while the project has schedules overrides them until the window ends (ScheduleStateService).
 */
@Injectable()
export class AgentControlService {
  constructor(
    private readonly features: FeaturesRepository,
    private readonly usage: UsageRepository,
    private readonly projects: ProjectsService,
    private readonly dispatcher: Dispatcher,
    private readonly queue: JobQueueService,
    private readonly signals: SessionSignals,
    private readonly schedules: ScheduleStateService,
    private readonly lifecycle: ProjectLifecycleService,
    private readonly runs: RunLifecycleService,
  ) {}

  async start(
    projectId: string,
    input: StartAgentsInput,
    requestId?: string,
    source: ControlSource = 'manual',
    userId?: string,
  ): Promise<ProjectView> {
    const project = await this.projects.require(projectId);
    if (project.status === 'initializing') {
      throw conflict('the initializer is still writing the backlog; start the agents after it');
    }
    if (project.status === 'running') throw conflict('the agents are already running');
    const pending = await this.features.count(projectId, ['pending', 'in_progress']);
    if (pending === 0) {
      const questions = await this.features.count(projectId, ['needs_input']);
      throw conflict(
        questions > 0
          ? `no pending features: answer the ${questions} waiting question(s) and the agents go on`
          : 'no pending features: nothing for the agents to do',
      );
    }
    if (project.budgetUsd !== null) {
      if ((await this.usage.spentUsd(projectId)).gte(project.budgetUsd)) {
        throw conflict(
          `the project's budget of $${project.budgetUsd.toString()} is spent; raise budgetUsd to go on`,
        );
      }
    }
    const settings =
      input.testingAgents === undefined
        ? undefined
        : ({
            ...(project.settings as Prisma.JsonObject),
            testingAgents: input.testingAgents,
          } as Prisma.InputJsonValue);
    // Before the change, so no schedule edge or tick acts on it in between.
    if (source === 'manual') await this.schedules.recordManual(projectId, 'start');
    await this.lifecycle.apply(projectId, 'start', {
      concurrency: input.concurrency,
      settings,
      ...startedBy(userId),
    });
    await this.announce(projectId, 'agents started', 'running');
    await this.dispatcher.dispatch(projectId, requestId);
    return this.projects.get(projectId);
  }

  async pause(projectId: string): Promise<ProjectView> {
    await this.transition(projectId, 'pause', 'the agents are not running');
    await this.cancelQueued(projectId, 'paused');
    await this.announce(projectId, 'paused: running sessions finish, no new ones start', 'paused');
    return this.projects.get(projectId);
  }

  async resume(projectId: string, requestId?: string, userId?: string): Promise<ProjectView> {
    await this.transition(projectId, 'resume', 'the agents are not paused', userId);
    await this.announce(projectId, 'resumed', 'running');
    await this.dispatcher.dispatch(projectId, requestId);
    return this.projects.get(projectId);
  }

  async stop(projectId: string, source: ControlSource = 'manual'): Promise<ProjectView> {
    const project = await this.projects.require(projectId);
    const stoppable: readonly ProjectStatus[] = PROJECT_TRANSITIONS.stop.from;
    if (!stoppable.includes(project.status)) {
      throw conflict(`the agents are not running (project is ${project.status})`);
    }
    if (source === 'manual') await this.schedules.recordManual(projectId, 'stop');
    await this.lifecycle.tryApply(projectId, 'stop');
    await this.cancelQueued(projectId, 'stopped');
    const reason = source === 'schedule' ? 'the schedule window ended' : 'stopped by request';
    await this.signals.send({ kind: 'stop', projectId, reason });
    await this.announce(projectId, 'stopped', 'ready');
    return this.projects.get(projectId);
  }

  /**
   * After a person changed the backlog so that there is work again (answered an agent's
   * question, sent a feature back to pending): agents that stopped only to wait for that start
   * again by themselves (waiting → running), and running ones pick the work up now rather than
   * at the next session's end or tick. Idle, ready, paused and initializing projects are left
   * alone: nobody asked for agents there. `why` is announced when the agents resume. Returns the
   * status the project is in afterwards.
   */
  async wake(
    projectId: string,
    why: string,
    requestId?: string,
    userId?: string,
  ): Promise<ProjectStatus> {
    const woken = await this.lifecycle.tryApply(projectId, 'wake', startedBy(userId));
    if (woken) await this.announce(projectId, `resumed: ${why}`, 'running');
    const project = await this.projects.require(projectId);
    if (project.status === 'running') await this.dispatcher.dispatch(projectId, requestId);
    return project.status;
  }

  private async transition(
    projectId: string,
    event: Extract<ProjectEvent, 'pause' | 'resume'>,
    refusal: string,
    userId?: string,
  ): Promise<void> {
    await this.projects.require(projectId);
    if (!(await this.lifecycle.tryApply(projectId, event, startedBy(userId)))) {
      throw conflict(refusal);
    }
  }

  /** Queued session runs will not start: cancelled in Postgres, removed from the queue. */
  private async cancelQueued(projectId: string, why: string): Promise<void> {
    const cancelled = await this.runs.applyMany(
      { projectId, role: { in: ['coding', 'testing'] }, status: 'queued' },
      'cancel',
      { error: `project ${why}` },
    );
    const q = this.queue.queue(QueueName.AgentSession);
    // A job already taken by a runner cannot be removed; its session sees the cancelled run.
    await Promise.all(cancelled.map((r) => q.remove(r.id).catch(() => 0)));
  }

  private announce(projectId: string, message: string, status: string): Promise<void> {
    return this.dispatcher.announce(projectId, message, { status });
  }
}

/** Whoever (re)starts the agents owns the runs they start from then on. */
function startedBy(userId: string | undefined): { agentsStartedById?: string } {
  return userId ? { agentsStartedById: userId } : {};
}
