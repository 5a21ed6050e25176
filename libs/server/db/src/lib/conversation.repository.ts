import { Injectable } from '@nestjs/common';
import {
  type Conversation,
  type ConversationKind,
  type FeatureStatus,
  type Message,
  Prisma,
  type Project,
} from '../generated/prisma/client';
import { PrismaService } from './prisma.service';
import { searchHitsSql, searchTotalSql } from './sql/conversation.sql';
import { Db } from './transactions';

export { HEADLINE_START, HEADLINE_STOP } from './sql/conversation.sql';

/** A message to store; its time is chosen by the repository (see append). */
export type NewMessage = Omit<
  Prisma.MessageUncheckedCreateInput,
  'conversationId' | 'createdAt' | 'projectId'
>;

/** A row of searchHitsSql: a matching message and its conversation. */
export interface SearchHitRow {
  messageId: string;
  conversationId: string;
  title: string;
  kind: ConversationKind;
  role: Message['role'];
  createdAt: Date;
  rank: number;
  /** Matches in the search window (at most its size + 1). */
  matches: bigint;
  headline: string;
}

/** Features a chat without tools is told about: the ones still to do. */
const OPEN_STATUSES: FeatureStatus[] = ['pending', 'in_progress', 'failing', 'needs_input'];
const OLDEST_FIRST = [
  { createdAt: 'asc' },
  { id: 'asc' },
] satisfies Prisma.MessageOrderByWithRelationInput[];
const NEWEST_FIRST = [
  { createdAt: 'desc' },
  { id: 'desc' },
] satisfies Prisma.MessageOrderByWithRelationInput[];

/** Conversations and their messages, as the api and chat turns read and write them. */
@Injectable()
export class ConversationRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: Prisma.ConversationUncheckedCreateInput): Promise<Conversation> {
    return this.prisma.conversation.create({ data });
  }

  /** The conversation, with its project, if it belongs to `projectId`. */
  find(projectId: string, id: string): Promise<(Conversation & { project: Project }) | null> {
    return this.prisma.conversation.findFirst({
      where: { id, projectId },
      include: { project: true },
    });
  }

  /** A project's conversations (of one kind when given), last touched first, with the total. */
  async page(projectId: string, kind: ConversationKind | undefined, offset: number, limit: number) {
    const where: Prisma.ConversationWhereInput = { projectId, ...(kind ? { kind } : {}) };
    const [rows, total] = await Promise.all([
      this.prisma.conversation.findMany({
        where,
        orderBy: [{ updatedAt: 'desc' }, { id: 'asc' }],
        skip: offset,
        take: limit,
      }),
      this.prisma.conversation.count({ where }),
    ]);
    return { rows, total };
  }

  /** The newest messages, `offset` back from the end, newest first, with the total. */
  async latestMessages(conversationId: string, offset: number, limit: number) {
    const where = { conversationId };
    const [rows, total] = await Promise.all([
      this.prisma.message.findMany({ where, orderBy: NEWEST_FIRST, skip: offset, take: limit }),
      this.prisma.message.count({ where }),
    ]);
    return { rows, total };
  }

  /** The conversation's messages oldest first: after `after` in that order when given, `take` at most. */
  messages(
    conversationId: string,
    after?: Pick<Message, 'createdAt' | 'id'>,
    take?: number,
  ): Promise<Message[]> {
    return this.prisma.message.findMany({
      where: {
        conversationId,
        ...(after && {
          OR: [
            { createdAt: { gt: after.createdAt } },
            { createdAt: after.createdAt, id: { gt: after.id } },
          ],
        }),
      },
      orderBy: OLDEST_FIRST,
      take,
    });
  }

  /** The person's newest message. */
  lastAsked(conversationId: string, db: Db = this.prisma): Promise<Message | null> {
    return db.message.findFirst({ where: { conversationId, role: 'user' }, orderBy: NEWEST_FIRST });
  }

  /**
   * Stores a message after every message already in the conversation (strictly later, so the
   * stored order is the order of events even within a millisecond) and touches the conversation.
   * `guard` runs first, holding the conversation's lock, and refuses the message by throwing.
   */
  append(
    conversationId: string,
    message: NewMessage,
    guard?: (latest: Message | null, tx: Db) => Promise<void>,
  ): Promise<Message> {
    return this.prisma.$transaction(async (tx) => {
      // The update locks the conversation's row first: two appends cannot pick the same time.
      await tx.conversation.update({
        where: { id: conversationId },
        data: { updatedAt: new Date() },
      });
      const latest = await tx.message.findFirst({
        where: { conversationId },
        orderBy: NEWEST_FIRST,
      });
      await guard?.(latest, tx);
      const createdAt = new Date(Math.max(Date.now(), (latest?.createdAt.getTime() ?? 0) + 1));
      return tx.message.create({ data: { ...message, conversationId, createdAt } });
    });
  }

  async deleteMessage(id: string): Promise<void> {
    await this.prisma.message.deleteMany({ where: { id } });
  }

  /** One model call of a chat, billed to the conversation's project. */
  async recordUsage(
    conversation: Pick<Conversation, 'id' | 'projectId'>,
    usage: Omit<Prisma.UsageRecordUncheckedCreateInput, 'projectId' | 'conversationId' | 'kind'>,
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

  /**
   * A page of a full-text search over a project's messages (sql/conversation.sql.ts), and how
   * many in its window match.
   */
  async search(
    projectId: string,
    q: string,
    kind: ConversationKind | null,
    offset: number,
    limit: number,
  ): Promise<{ rows: SearchHitRow[]; total: number }> {
    const rows = await this.prisma.$queryRaw<SearchHitRow[]>(
      searchHitsSql(projectId, q, kind, offset, limit),
    );
    if (rows.length > 0) return { rows, total: Number(rows[0].matches) };
    // A page past the end has no rows to carry the count: ask for it alone (rare).
    if (offset === 0) return { rows, total: 0 };
    const [row] = await this.prisma.$queryRaw<{ total: bigint }[]>(
      searchTotalSql(projectId, q, kind),
    );
    return { rows, total: Number(row?.total ?? 0) };
  }
}
