import type { BoardView, FeatureStatus, FeatureView } from '@autocoder/shared-contracts';
import { feature, features } from '../testing/fixtures';
import { appendPage, columnsFromView, mergeRefresh } from './board-columns';

const ids = (items: FeatureView[]) => items.map((f) => f.id);
const range = (prefix: string, from: number, to: number, status: FeatureStatus) =>
  features(prefix, status, from, to - from);

describe('board columns', () => {
  it('fills the columns the api left out', () => {
    const columns = columnsFromView({ projectId: 'p1', limit: 2, offset: 0, columns: [] });
    expect(columns.failing).toEqual({ status: 'failing', total: 0, items: [] });
  });

  it('refreshes the first page, keeps deeper cards, and drops those that moved', () => {
    const current = columnsFromView({
      projectId: 'p1',
      limit: 2,
      offset: 0,
      columns: [{ status: 'pending', total: 5, items: range('p', 0, 2, 'pending') }],
    });
    current.pending = appendPage(current.pending, {
      status: 'pending',
      total: 5,
      items: range('p', 2, 5, 'pending'),
    });
    // p3 was claimed (now in progress); p0 passed; one new pending feature came first.
    const fresh: BoardView = {
      projectId: 'p1',
      limit: 2,
      offset: 0,
      columns: [
        {
          status: 'pending',
          total: 4,
          items: [feature('new', 'pending'), feature('p1', 'pending')],
        },
        { status: 'in_progress', total: 1, items: [feature('p3', 'in_progress')] },
        { status: 'passing', total: 1, items: [feature('p0', 'passing')] },
      ],
    };
    const merged = mergeRefresh(current, fresh);
    expect(ids(merged.pending.items)).toEqual(['new', 'p1', 'p2', 'p4']);
    expect(merged.pending.total).toBe(4);
    expect(ids(merged.in_progress.items)).toEqual(['p3']);
  });

  it('keeps no deeper cards when the first page holds the whole column, nor more than the total', () => {
    const current = columnsFromView({
      projectId: 'p1',
      limit: 2,
      offset: 0,
      columns: [{ status: 'pending', total: 4, items: range('p', 0, 4, 'pending') }],
    });
    const shrunk = mergeRefresh(current, {
      projectId: 'p1',
      limit: 2,
      offset: 0,
      columns: [{ status: 'pending', total: 1, items: [feature('p0', 'pending')] }],
    });
    expect(ids(shrunk.pending.items)).toEqual(['p0']);
    const capped = mergeRefresh(current, {
      projectId: 'p1',
      limit: 2,
      offset: 0,
      columns: [{ status: 'pending', total: 3, items: range('p', 0, 2, 'pending') }],
    });
    expect(ids(capped.pending.items)).toEqual(['p0', 'p1', 'p2']);
  });

  it('appends a page without repeating cards the list shifted onto it', () => {
    const column = { status: 'pending' as const, total: 4, items: range('p', 0, 2, 'pending') };
    const next = appendPage(column, {
      status: 'pending',
      total: 5,
      items: [feature('p1', 'pending'), feature('p2', 'pending')],
    });
    expect(ids(next.items)).toEqual(['p0', 'p1', 'p2']);
    expect(next.total).toBe(5);
  });
});
