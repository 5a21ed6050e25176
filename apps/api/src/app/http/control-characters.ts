import { ApiErrorIssue, controlCharacterIn } from '@autocoder/shared-contracts';
import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** How deep a JSON body is searched; deeper bodies fail their schema anyway. */
const MAX_DEPTH = 32;

/** A name fit for an error message: control characters shown as "?". */
const visible = (s: string) =>
  Array.from(s, (c) => (controlCharacterIn(c, false) ? '?' : c)).join('');

const codePoint = (c: string) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Refuses control characters where no route can use them, once for every route and before
 * authentication, the audit trail or any query runs (Postgres cannot store NUL; a NUL reaching it
 * was a 500): any control character in a path segment or in a query key or value (tab and
 * newlines included), and NUL anywhere in a JSON body. Other control characters in a body are the
 * schemas' business (a spec may hold tabs and newlines). Answers 400 naming where it was.
 */
export function refuseControlCharacters(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const issues = [...pathIssues(req.path), ...queryIssues(req.query), ...bodyIssues(req.body)];
    if (issues.length === 0) return next();
    next(
      new BadRequestException({
        message: `The request holds control characters (${issues.map((i) => i.path).join(', ')}); send text without NUL, and none at all in paths and queries.`,
        issues,
      }),
    );
  };
}

function pathIssues(path: string): ApiErrorIssue[] {
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      continue; // malformed escapes are the router's 400 or 404
    }
    const c = controlCharacterIn(decoded, false);
    if (c)
      return [{ path: 'path', message: `must not contain control characters (${codePoint(c)})` }];
  }
  return [];
}

function queryIssues(query: unknown): ApiErrorIssue[] {
  const issues: ApiErrorIssue[] = [];
  const visit = (value: unknown, where: string, depth: number): void => {
    if (typeof value === 'string') {
      const c = controlCharacterIn(value, false);
      if (c)
        issues.push({
          path: where,
          message: `must not contain control characters (${codePoint(c)})`,
        });
    } else if (value && typeof value === 'object' && depth < MAX_DEPTH) {
      for (const [key, inner] of Object.entries(value)) {
        const c = controlCharacterIn(key, false);
        if (c)
          issues.push({
            path: `${where}.${visible(key)}`,
            message: `the parameter name must not contain control characters (${codePoint(c)})`,
          });
        else visit(inner, `${where}.${key}`, depth + 1);
      }
    }
  };
  visit(query, 'query', 0);
  return issues;
}

function bodyIssues(body: unknown): ApiErrorIssue[] {
  const issues: ApiErrorIssue[] = [];
  const message = 'must not contain NUL characters (U+0000)';
  const visit = (value: unknown, where: string, depth: number): void => {
    if (typeof value === 'string') {
      if (value.includes('\u0000')) issues.push({ path: where, message });
    } else if (value && typeof value === 'object' && depth < MAX_DEPTH) {
      for (const [key, inner] of Object.entries(value)) {
        if (key.includes('\u0000')) issues.push({ path: `${where}.${visible(key)}`, message });
        else visit(inner, `${where}.${key}`, depth + 1);
      }
    }
  };
  visit(body, 'body', 0);
  return issues;
}
