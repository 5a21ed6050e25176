import { Allow, CurrentPrincipal, Principal } from '@autocoder/server-auth';
import { LiveEvents } from '@autocoder/server-live-events';
import { Controller, MessageEvent, Param, Query, Sse, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { filter, finalize, interval, map, merge, Observable } from 'rxjs';
import { LiveEventsQueryDto } from '../http/dto';
import { ParseIdPipe } from '../http/validation';
import { EventStreamSlots } from './event-stream-slots';
import { ProjectExistsGuard } from './project-exists.guard';
import { Operation } from '../http/operation.decorator';

/** How often an idle stream sends a comment, so proxies keep it open. */
const KEEPALIVE_MS = 15_000;

@ApiTags('events')
@Controller('projects/:projectId/events')
export class EventsController {
  constructor(
    private readonly live: LiveEvents,
    private readonly slots: EventStreamSlots,
  ) {}

  /**
   * Server-sent events of a project as runners work (run status, model and tool activity).
   * Live only: after a reconnect, read the run's log from GET /runs/:id for what was missed.
   * With `conversationId`, only that chat's events (chat.delta, chat.message, chat.tool,
   * chat.error).
   */
  @Sse()
  @Operation("Follow a project's live events (server-sent events)", {
    returns: 'text',
    produces: ['text/event-stream'],
  })
  @Allow('viewer')
  @UseGuards(ProjectExistsGuard)
  stream(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: LiveEventsQueryDto,
    @CurrentPrincipal() who: Principal,
  ): Observable<MessageEvent> {
    const { conversationId } = query;
    // 429 past SSE_MAX_STREAMS_PER_CLIENT; the place is freed when the client goes away.
    const release = this.slots.take(who);
    return merge(
      this.live.stream(projectId).pipe(
        filter((event) => !conversationId || event.conversationId === conversationId),
        map((event): MessageEvent => ({ type: event.type, data: event })),
      ),
      interval(KEEPALIVE_MS).pipe(map((): MessageEvent => ({ type: 'keepalive', data: {} }))),
    ).pipe(finalize(release));
  }
}
