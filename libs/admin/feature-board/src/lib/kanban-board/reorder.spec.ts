import { feature } from '../testing/fixtures';
import { movePriorities, withPriorities } from './reorder';

const column = (...priorities: number[]) =>
  priorities.map((priority, i) => feature(`f${i}`, 'pending', { priority }));

describe('moving a card within its column', () => {
  it('swaps priorities with the neighbour above or below', () => {
    const items = column(10, 20, 30);
    expect(movePriorities(items, 1, 'up')).toEqual([
      { id: 'f1', priority: 10 },
      { id: 'f0', priority: 20 },
    ]);
    expect(movePriorities(items, 1, 'down')).toEqual([
      { id: 'f1', priority: 30 },
      { id: 'f2', priority: 20 },
    ]);
    const moved = withPriorities(items, movePriorities(items, 1, 'up'));
    expect(moved.map((f) => f.id)).toEqual(['f1', 'f0', 'f2']);
  });

  it('steps past a neighbour with the same priority, never below 0', () => {
    expect(movePriorities(column(5, 5), 1, 'up')).toEqual([{ id: 'f1', priority: 4 }]);
    expect(movePriorities(column(5, 5), 0, 'down')).toEqual([{ id: 'f0', priority: 6 }]);
    expect(movePriorities(column(0, 0), 1, 'up')).toEqual([{ id: 'f0', priority: 1 }]);
  });

  it('does nothing at either end', () => {
    expect(movePriorities(column(1, 2), 0, 'up')).toEqual([]);
    expect(movePriorities(column(1, 2), 1, 'down')).toEqual([]);
  });
});
