import { SessionSignals } from '@autocoder/server-live-events';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';

/** Why a session's own controller aborted it (a shutdown comes through the runner's signal). */
export class SessionStopError extends Error {
  override name = 'SessionStopError';
}

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/**
 * A session given back unfinished (its runner is shutting down), its run queued again: the one
 * form a release takes from the session to the runner's processor, which requeues the job.
 */
export class SessionReleasedError extends Error {
  override name = 'SessionReleasedError';
}

/**
 * The sessions this process is running, by project, so that a stop signal from any api replica
 * aborts them here. Listens lazily: only a process that runs sessions subscribes.
 */
@Injectable()
export class ActiveSessions implements OnModuleDestroy {
  private readonly logger = new Logger(ActiveSessions.name);
  private readonly byProject = new Map<string, Set<AbortController>>();
  private listening?: Promise<() => void>;

  constructor(private readonly signals: SessionSignals) {}

  /** Registers a session; returns its controller (aborted by a stop, the lease or `parent`). */
  async open(projectId: string, parent: AbortSignal): Promise<AbortController> {
    this.listening ??= this.signals.listen((signal) => {
      if (signal.kind === 'stop') this.stopProject(signal.projectId, signal.reason);
    });
    await this.listening;
    const controller = new AbortController();
    const onParent = () => controller.abort(parent.reason);
    if (parent.aborted) onParent();
    else parent.addEventListener('abort', onParent, { once: true });
    controller.signal.addEventListener(
      'abort',
      () => parent.removeEventListener('abort', onParent),
      { once: true },
    );
    let set = this.byProject.get(projectId);
    if (!set) this.byProject.set(projectId, (set = new Set()));
    set.add(controller);
    return controller;
  }

  close(projectId: string, controller: AbortController): void {
    const set = this.byProject.get(projectId);
    set?.delete(controller);
    if (set?.size === 0) this.byProject.delete(projectId);
  }

  stopProject(projectId: string, reason: string): number {
    const set = this.byProject.get(projectId);
    if (!set) return 0;
    for (const c of set) if (!c.signal.aborted) c.abort(new SessionStopError(reason));
    this.logger.log({ projectId, sessions: set.size }, `stopping sessions: ${reason}`);
    return set.size;
  }

  async onModuleDestroy(): Promise<void> {
    (await this.listening?.catch(() => undefined))?.();
  }
}
