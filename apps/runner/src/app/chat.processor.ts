import { ChatTurnRunner } from '@autocoder/server-chat-turns';
import { JobContext, JobWorkers, OnJob } from '@autocoder/server-queue';
import { ChatTurnJob, JobName, QueueName } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';

/**
 * Handles the chat queue: one job answers one person's message (ChatTurnRunner). Turns are
 * short: on shutdown `drain` lets the running ones finish.
 */
@Injectable()
export class ChatProcessor {
  constructor(
    private readonly turns: ChatTurnRunner,
    private readonly workers: JobWorkers,
  ) {}

  @OnJob(JobName.ChatTurn)
  chatTurn(data: ChatTurnJob, { attempt, maxAttempts, rateLimit }: JobContext): Promise<unknown> {
    return this.turns.run(data, { attempt, maxAttempts, rateLimit });
  }

  /**
   * Stops taking turns and waits for the running ones (they are short). Call it before the
   * database closes, like the session drain (closeOnSignals in main).
   */
  drain(): Promise<void> {
    return this.workers.close(QueueName.Chat);
  }
}
