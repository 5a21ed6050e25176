import { Injectable } from '@nestjs/common';
import type { Feature, FeatureStatus } from '../generated/prisma/client';
import { PrismaService } from './prisma.service';
import { BOARD_SQL, BOARD_TEXT_SQL } from './sql/board.sql';

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

/** A row of BOARD_SQL: a column's total and one of its features, or none when its page is empty. */
type BoardRow = { boardColumn: FeatureStatus; boardTotal: number } & (
  | (Feature & { boardDependencies: BoardDependency[] })
  | { id: null }
);

/** The Feature row of a board row, without the board's own columns. */
function featureOf(row: Feature & Record<`board${string}`, unknown>): Feature {
  const feature: Record<string, unknown> = { ...row };
  for (const key of Object.keys(feature)) if (key.startsWith('board')) delete feature[key];
  return feature as Feature;
}

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

  async page(input: BoardPageInput): Promise<BoardColumnRows[]> {
    const statuses = [...input.statuses];
    const rows = await this.prisma.$queryRawUnsafe<BoardRow[]>(
      input.text ? BOARD_TEXT_SQL : BOARD_SQL,
      input.projectId,
      statuses,
      input.category ?? null,
      input.text ? containsPattern(input.text) : null,
      input.limit,
      input.offset,
    );
    const columns = new Map<FeatureStatus, BoardColumnRows>(
      statuses.map((status) => [status, { status, total: 0, rows: [] }]),
    );
    for (const row of rows) {
      const column = columns.get(row.boardColumn);
      if (!column) continue;
      column.total = row.boardTotal;
      if (row.id === null) continue;
      column.rows.push({ feature: featureOf(row), dependencies: row.boardDependencies });
    }
    return [...columns.values()];
  }
}
