import { CreateProjectSchema } from '@autocoder/shared-contracts';
import { BadRequestException } from '@nestjs/common';
import { createZodDto } from 'nestjs-zod';
import { ApiValidationPipe, ParseIdPipe } from './validation';

class CreateProjectDto extends createZodDto(CreateProjectSchema) {}

describe('ApiValidationPipe', () => {
  const pipe = new ApiValidationPipe();
  const body = { type: 'body' as const, metatype: CreateProjectDto };

  function reasons(value: unknown) {
    try {
      pipe.transform(value, body);
    } catch (err) {
      expect(err).toBeInstanceOf(BadRequestException);
      return (err as BadRequestException).getResponse() as {
        message: string;
        issues: { path: string; message: string }[];
      };
    }
    throw new Error('expected a validation error');
  }

  it('returns the parsed value (trimmed) when valid', () => {
    expect(pipe.transform({ name: '  Shop ', spec: 'x' }, body)).toEqual({
      name: 'Shop',
      spec: 'x',
    });
  });

  it('names every missing or wrong field with its path', () => {
    const r = reasons({ name: '', concurrency: 11 });
    expect([...new Set(r.issues.map((i) => i.path))].sort()).toEqual([
      'body.concurrency',
      'body.name',
      'body.spec',
    ]);
  });

  it('rejects unknown fields one by one', () => {
    const r = reasons({ name: 'a', spec: 'b', owner: 'x', admin: true });
    expect(r.issues).toEqual([
      { path: 'body.owner', message: 'unknown field' },
      { path: 'body.admin', message: 'unknown field' },
    ]);
  });

  it('treats a missing body as empty', () => {
    expect(reasons(undefined).issues.map((i) => i.path)).toEqual(['body.name', 'body.spec']);
  });

  it('leaves parameters without a zod DTO alone', () => {
    expect(pipe.transform('x', { type: 'param', metatype: String })).toBe('x');
  });
});

describe('ParseIdPipe', () => {
  const pipe = new ParseIdPipe();

  it('accepts a UUID', () => {
    const id = '6f1c1e0e-8f7a-4a57-9a51-3f6d2b0f1a11';
    expect(pipe.transform(id, { type: 'param', data: 'projectId' })).toBe(id);
  });

  it.each(['1', '../etc/passwd', "1' or '1'='1", ''])(
    'refuses %p with a 400 naming the parameter',
    (value) => {
      expect(() => pipe.transform(value, { type: 'param', data: 'projectId' })).toThrow(
        'Path parameter "projectId" must be a UUID.',
      );
    },
  );
});
