import { shortenDetail } from './merge-queue-view.service';

describe('shortenDetail', () => {
  it('keeps short details whole', () => {
    expect(shortenDetail('failed', 'boom', 10)).toEqual({ detail: 'boom', detailTruncated: false });
    expect(shortenDetail('merged', null, 10)).toEqual({ detail: null, detailTruncated: false });
  });

  it("keeps a failed verification's end and a conflict's first files, at the limit", () => {
    const output = 'line 1\nline 2\nFAIL';
    expect(shortenDetail('failed', output, 8)).toEqual({
      detail: '… 2\nFAIL',
      detailTruncated: true,
    });
    const files = 'src/a.ts\nsrc/b.ts\nsrc/c.ts';
    const conflict = shortenDetail('conflict', files, 12);
    expect(conflict).toEqual({ detail: 'src/a.ts\nsr…', detailTruncated: true });
    expect(conflict.detail).toHaveLength(12);
  });
});
