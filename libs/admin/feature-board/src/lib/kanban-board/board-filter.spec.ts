import { convertToParamMap } from '@angular/router';
import type { FeatureView } from '@autocoder/shared-contracts';
import { filterFromParams, filterToParams, filterToQuery, matchesFilter } from './board-filter';

describe('board filter', () => {
  it('reads the URL, ignoring what the api would refuse', () => {
    expect(
      filterFromParams(convertToParamMap({ status: 'passing', category: ' auth ', q: ' Login ' })),
    ).toEqual({ status: 'passing', category: 'auth', q: 'Login' });
    expect(filterFromParams(convertToParamMap({ status: 'done', category: '  ' }))).toEqual({
      status: null,
      category: null,
      q: '',
    });
  });

  it('writes only what is set, to the URL and to the api', () => {
    const filter = { status: null, category: 'ui', q: '  ' };
    expect(filterToParams(filter)).toEqual({ status: null, category: 'ui', q: null });
    expect(filterToQuery(filter)).toEqual({ category: 'ui' });
  });

  it('matches as the api does: name or description, any case; category exactly', () => {
    const feature = {
      name: 'Login form',
      description: 'Uses OAuth',
      category: 'auth',
    } as FeatureView;
    const none = { status: null, category: null, q: '' };
    expect(matchesFilter(feature, { ...none, q: 'LOGIN' })).toBe(true);
    expect(matchesFilter(feature, { ...none, q: 'oauth' })).toBe(true);
    expect(matchesFilter(feature, { ...none, q: 'signup' })).toBe(false);
    expect(matchesFilter(feature, { ...none, category: 'aut' })).toBe(false);
    expect(matchesFilter(feature, { ...none, category: 'auth', q: 'form' })).toBe(true);
  });
});
