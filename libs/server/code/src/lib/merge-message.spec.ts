import { mergeMessage, parseMergeMessage } from './merge-message';

const FEATURE = '3f2b8c1e-9d4a-4e6b-8f0a-1c2d3e4f5a6b';
const RUN = 'a1b2c3d4-0000-4000-8000-00000000abcd';

describe('merge messages', () => {
  it('round-trips the feature and run a session merged', () => {
    const message = mergeMessage({ id: FEATURE, name: 'Show the landing page' }, { id: RUN });
    expect(message.split('\n')[0]).toBe(`Merge Show the landing page (run ${RUN})`);
    expect(parseMergeMessage(message)).toEqual({
      featureName: 'Show the landing page',
      featureId: FEATURE,
      runId: RUN,
    });
  });

  it('keeps a multi-line feature name on the subject line', () => {
    const message = mergeMessage({ id: FEATURE, name: 'Two\nlines  here' }, { id: RUN });
    expect(parseMergeMessage(message).featureName).toBe('Two lines here');
  });

  it('reads the run from merges written before the trailers existed', () => {
    expect(parseMergeMessage(`Merge Add a todo (run ${RUN})`)).toEqual({
      featureName: 'Add a todo',
      featureId: null,
      runId: RUN,
    });
  });

  it('says nothing about merges it did not write', () => {
    expect(parseMergeMessage('Merge session/s1')).toEqual({
      featureName: null,
      featureId: null,
      runId: null,
    });
    expect(parseMergeMessage('Merge x (run not-a-uuid)\n\nFeature-Id: nope').featureId).toBeNull();
  });
});
