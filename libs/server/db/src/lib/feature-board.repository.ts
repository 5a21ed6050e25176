import { Injectable } from '@nestjs/common';
import type { Feature, FeatureStatus } from '../generated/prisma/client';
import { PrismaService } from './prisma.service';
import { BOARD_COUNTS_SQL, BOARD_PAGE_SQL } from './sql/board.sql';

export interface BoardPageInput {
  projectId: string;
  /** The columns, in board order. */
  statuses: readonly FeatureStatus[];
  category?: string;
  /** Text that the name or the description holds, any letter case. */
  text?: string;
  limit: number;
  offset: number;
}

/** A feature a card depends on, with its status (a card is blocked until they all pass). */
export interface BoardDependency {
  id: string;
  status: FeatureStatus;
}

export interface BoardFeature {
  feature: Feature;
  /** In the order they were added. */
  dependencies: BoardDependency[];
}

export interface BoardColumnRows {
  status: FeatureStatus;
  /** Features of this column matching the filters, on every page. */
  total: number;
  /** This page, in board order. */
  rows: BoardFeature[];
}

type PageRow = Feature & { boardDependencies: BoardDependency[] };

/** `text` as an ILIKE pattern that matches it anywhere, its own `%`, `_` and `\` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A project's board in two statements run side by side: the totals per column and one page of
 * every column (SQL in ./sql/board.sql.ts, indexes in the migration board_text_search).
 */
@Injectable()
export class FeatureBoardRepository {
  constructor(private readonly prisma: PrismaService) {}

  async page(input: BoardPageInput): Promise<BoardColumnRows[]> {
    const statuses = [...input.statuses];
    const filters = [
      input.projectId,
      statuses,
      input.category ?? null,
      input.text ? containsPattern(input.text) : null,
    ];
    const [totals, rows] = await Promise.all([
      this.prisma.$queryRawUnsafe<{ status: FeatureStatus; total: number }[]>(
        BOARD_COUNTS_SQL,
        ...filters,
      ),
      this.prisma.$queryRawUnsafe<PageRow[]>(BOARD_PAGE_SQL, ...filters, input.limit, input.offset),
    ]);
    return statuses.map((status) => ({
      status,
      total: totals.find((t) => t.status === status)?.total ?? 0,
      rows: rows
        .filter((r) => r.status === status)
        .map(({ boardDependencies, ...feature }) => ({
          feature,
          dependencies: boardDependencies,
        })),
    }));
  }
}
