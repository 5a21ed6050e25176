import { Allow } from '@autocoder/server-auth';
import { MergeQueueViewService } from '@autocoder/server-code';
import { MergeQueueView, MergeQueueViewSchema } from '@autocoder/shared-contracts';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { MergeQueueQueryDto } from '../http/dto';
import { Operation } from '../http/operation.decorator';
import { ParseIdPipe } from '../http/validation';

/** A project's merge queue for people to watch: what waits, what merges, how recent ones ended. */
@ApiTags('repository')
@Controller('projects/:projectId/merge-queue')
export class MergeQueueController {
  constructor(private readonly queue: MergeQueueViewService) {}

  @Get()
  @Operation("Get a project's merge queue and its recent outcomes", {
    returns: MergeQueueViewSchema,
  })
  @Allow('viewer')
  get(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: MergeQueueQueryDto,
  ): Promise<MergeQueueView> {
    return this.queue.view(projectId, query);
  }
}
