import type { BoardQuery } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import type { Feature, FeatureStatus } from '../generated/prisma/client';
import { PrismaService } from './prisma.service';
import { BOARD_SQL, BOARD_TEXT_SQL } from './sql/board.sql';

/** A feature a card depends on, with its status (a card is blocked until they all pass). */
type BoardDependency = { id: string; status: FeatureStatus };

export interface BoardColumnRows {
  status: FeatureStatus;
  /** Features of this column matching the filters, on every page. */
  total: number;
  /** This page, in board order, each feature's dependencies in the order they were added. */
  rows: { feature: Feature; dependencies: BoardDependency[] }[];
}

/**
 * A row of BOARD_SQL: a column's total and one of its features; a column whose page is empty is
 * one row with the feature's columns null.
 */
type BoardRow = Feature & {
  boardColumn: FeatureStatus;
  boardTotal: number;
  boardDependencies: BoardDependency[];
};

/** `text` as an ILIKE pattern that matches it anywhere, its own `%`, `_` and `\` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A project's board in one statement: every column's total and page, with each feature's
 * dependencies (SQL in ./sql/board.sql.ts, indexes in the migration board_text_search); with a
 * text filter, BOARD_TEXT_SQL matches the text once for every column.
 */
@Injectable()
export class FeatureBoardRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The columns `statuses` (in board order) of a project's board, filtered by category and by
   * text that the name or the description holds (any letter case).
   */
  async page(
    projectId: string,
    statuses: readonly FeatureStatus[],
    query: Pick<BoardQuery, 'category' | 'q' | 'limit' | 'offset'>,
  ): Promise<BoardColumnRows[]> {
    const rows = await this.prisma.$queryRawUnsafe<BoardRow[]>(
      query.q ? BOARD_TEXT_SQL : BOARD_SQL,
      projectId,
      [...statuses],
      query.category || null,
      query.q ? containsPattern(query.q) : null,
      query.limit,
      query.offset,
    );
    const columns = new Map<FeatureStatus, BoardColumnRows>(
      statuses.map((status) => [status, { status, total: 0, rows: [] }]),
    );
    for (const { boardColumn, boardTotal, boardDependencies, ...feature } of rows) {
      const column = columns.get(boardColumn);
      if (!column) continue;
      column.total = boardTotal;
      if (feature.id !== null) column.rows.push({ feature, dependencies: boardDependencies });
    }
    return [...columns.values()];
  }
}
