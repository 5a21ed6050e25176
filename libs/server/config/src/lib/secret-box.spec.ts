import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox('a secret of at least thirty-two characters', 'refresh-tokens');

  it('round-trips and never repeats a ciphertext', () => {
    const a = box.seal('rt-123');
    expect(box.open(a)).toBe('rt-123');
    expect(box.seal('rt-123')).not.toBe(a);
    expect(a).not.toContain('rt-123');
  });

  it('refuses tampered envelopes and other keys or purposes', () => {
    const sealed = box.seal('rt-123');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    expect(
      box.open([parts[0], parts[1], parts[2], body.toString('base64url')].join('.')),
    ).toBeNull();
    expect(
      new SecretBox('a secret of at least thirty-two characters', 'settings').open(sealed),
    ).toBeNull();
    expect(
      new SecretBox('another secret of thirty-two characters!', 'refresh-tokens').open(sealed),
    ).toBeNull();
    expect(box.open('garbage')).toBeNull();
  });
});
