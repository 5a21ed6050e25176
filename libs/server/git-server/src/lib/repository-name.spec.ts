import { checkRepositoryName } from './repository-name';

describe('checkRepositoryName', () => {
  it('accepts UUIDs and short names of letters, digits, - and _', () => {
    for (const name of [
      '0b7c9a52-6c53-4f4e-9d4a-3e8f2f6b1c11',
      'demo',
      'A_b-9',
      'x',
      'a'.repeat(100),
    ]) {
      expect(checkRepositoryName(name)).toEqual({ ok: true, name });
    }
  });

  it('refuses anything that could leave the root or name our own folders, with a reason', () => {
    for (const name of [
      '',
      '.',
      '..',
      '.home',
      '.tmp-x',
      '-x',
      '_x',
      'a/b',
      'a\\b',
      'a%2Fb',
      '%2e%2e',
      'a%00',
      'a\0b',
      'a\nb',
      'a b',
      'a.git',
      'é',
      'a'.repeat(101),
    ]) {
      const check = checkRepositoryName(name);
      expect({ name, ok: check.ok }).toEqual({ name, ok: false });
      if (!check.ok) expect(check.reason).toMatch(/repository name/);
    }
  });
});
