import { HumanInputRequestSchema, humanInputAnswerIssues } from './schemas';

describe('human input forms', () => {
  const request = HumanInputRequestSchema.parse({
    prompt: 'Pick',
    fields: [
      { name: 'choice', label: 'Choice', kind: 'select', options: ['a', 'b'] },
      { name: 'ok', label: 'OK?', kind: 'boolean' },
      { name: 'note', label: 'Note', kind: 'text', required: false },
    ],
  });

  it('accepts a complete answer and an omitted optional field', () => {
    expect(humanInputAnswerIssues(request, { choice: 'a', ok: false })).toEqual([]);
  });

  it('names each problem by field', () => {
    expect(
      humanInputAnswerIssues(request, {
        choice: 'c',
        ok: 'yes',
        note: 'x'.repeat(1001),
        other: 1 as unknown as string,
      }),
    ).toEqual([
      { path: 'values.other', message: 'not a field of this form' },
      { path: 'values.choice', message: 'must be one of: a, b' },
      { path: 'values.ok', message: 'must be true or false' },
      { path: 'values.note', message: 'at most 1000 characters' },
    ]);
  });

  it('refuses select fields without options and duplicate names', () => {
    expect(
      HumanInputRequestSchema.safeParse({
        prompt: 'p',
        fields: [{ name: 'a', label: 'A', kind: 'select' }],
      }).success,
    ).toBe(false);
    expect(
      HumanInputRequestSchema.safeParse({
        prompt: 'p',
        fields: [
          { name: 'a', label: 'A', kind: 'text' },
          { name: 'a', label: 'B', kind: 'text' },
        ],
      }).success,
    ).toBe(false);
  });
});
