import { Injectable } from '@nestjs/common';
import type {
  Conversation,
  FeatureStatus,
  Message,
  MessageRole,
  Prisma,
  Project,
} from '../generated/prisma/client';
import { PrismaService } from './prisma.service';

/** A message to store; its time is chosen by the repository (see append). */
export interface NewMessage {
  id?: string;
  role: MessageRole;
  content: string;
  toolCalls?: Prisma.InputJsonValue;
  /** Who wrote an assistant message. */
  provider?: string;
  model?: string;
  fallbackFrom?: string | null;
  stopped?: boolean;
}

/** One model call of a chat, billed to the conversation's project. */
export interface ChatUsage {
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  costUsd: number;
}

/** Features a chat without tools is told about: the ones still to do. */
const OPEN_STATUSES: FeatureStatus[] = ['pending', 'in_progress', 'failing', 'needs_input'];

/** Conversations and their messages, as chat turns read and write them. */
@Injectable()
export class ConversationRepository {
  constructor(private readonly prisma: PrismaService) {}

  findWithProject(id: string): Promise<(Conversation & { project: Project }) | null> {
    return this.prisma.conversation.findUnique({ where: { id }, include: { project: true } });
  }

  /** The conversation's messages, oldest first. */
  messages(conversationId: string): Promise<Message[]> {
    return this.prisma.message.findMany({
      where: { conversationId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /**
   * Stores a message after every message already in the conversation (strictly later, so the
   * stored order is the order of events even within a millisecond) and touches the conversation.
   */
  append(conversationId: string, message: NewMessage): Promise<Message> {
    return this.prisma.$transaction(async (tx) => {
      // The update locks the conversation's row first: two appends cannot pick the same time.
      await tx.conversation.update({
        where: { id: conversationId },
        data: { updatedAt: new Date() },
      });
      const latest = await tx.message.findFirst({
        where: { conversationId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        select: { createdAt: true },
      });
      const createdAt = new Date(Math.max(Date.now(), (latest?.createdAt.getTime() ?? 0) + 1));
      return tx.message.create({ data: { ...message, conversationId, createdAt } });
    });
  }

  async recordUsage(
    conversation: Pick<Conversation, 'id' | 'projectId'>,
    usage: ChatUsage,
  ): Promise<void> {
    await this.prisma.usageRecord.create({
      data: {
        ...usage,
        projectId: conversation.projectId,
        conversationId: conversation.id,
        kind: 'chat',
      },
    });
  }

  /** The next open features of a project, by priority: a backlog in brief. */
  openFeatures(
    projectId: string,
    limit: number,
  ): Promise<{ name: string; status: FeatureStatus }[]> {
    return this.prisma.feature.findMany({
      where: { projectId, status: { in: OPEN_STATUSES } },
      orderBy: [{ priority: 'asc' }, { id: 'asc' }],
      take: limit,
      select: { name: true, status: true },
    });
  }
}
