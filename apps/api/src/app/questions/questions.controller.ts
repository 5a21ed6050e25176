import { Allow } from '@autocoder/server-auth';
import { HumanInputService } from '@autocoder/server-projects';
import { PendingQuestionsView, PendingQuestionsViewSchema } from '@autocoder/shared-contracts';
import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Operation } from '../http/operation.decorator';

/** What agents wait on people for, across every project (the console's "needs you" counter). */
@ApiTags('questions')
@Controller('questions')
export class QuestionsController {
  constructor(private readonly humanInput: HumanInputService) {}

  /** How many questions wait, and the oldest 50 with their project, feature and prompt. */
  @Get()
  @Operation('List the questions agents are waiting on', { returns: PendingQuestionsViewSchema })
  @Allow('viewer')
  pending(): Promise<PendingQuestionsView> {
    return this.humanInput.pending();
  }
}
