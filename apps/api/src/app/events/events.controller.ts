import { ProjectsService } from '@autocoder/server-backlog';
import { LiveEvents } from '@autocoder/server-queue';
import { Controller, MessageEvent, Param, Sse } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { interval, map, merge, Observable } from 'rxjs';
import { ParseIdPipe } from '../http/validation';

/** How often an idle stream sends a comment, so proxies keep it open. */
const KEEPALIVE_MS = 15_000;

@ApiTags('events')
@Controller('projects/:projectId/events')
export class EventsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly live: LiveEvents,
  ) {}

  /**
   * Server-sent events of a project as runners work (run status, model and tool activity).
   * Live only: after a reconnect, read the run's log from GET /runs/:id for what was missed.
   */
  @Sse()
  async stream(
    @Param('projectId', ParseIdPipe) projectId: string,
  ): Promise<Observable<MessageEvent>> {
    await this.projects.require(projectId);
    return merge(
      this.live
        .stream(projectId)
        .pipe(map((event): MessageEvent => ({ type: event.type, data: event }))),
      interval(KEEPALIVE_MS).pipe(map((): MessageEvent => ({ type: 'keepalive', data: {} }))),
    );
  }
}
