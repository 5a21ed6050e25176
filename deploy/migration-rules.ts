// Expand-then-contract rules for migrations (docs/blue-green.md): a statement that removes or
// narrows what the live release may use must say why it is safe, in a `-- contract: <why>`
// comment just before it. Used by migrations-expand.spec.ts and blue-green-doc.int-spec.ts.

/** Statements that break a live release whose Prisma client still names the object. */
const CONTRACTING: [RegExp, string][] = [
  [/\bDROP\s+(COLUMN|TABLE|TYPE|VIEW)\b/i, 'drops something'],
  [/\bRENAME\b/i, 'renames something'],
  [/\bALTER\s+COLUMN\s+\S+\s+SET\s+NOT\s+NULL\b/i, 'makes a column NOT NULL'],
  [/\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b/i, "changes a column's type"],
  [
    /\bADD\s+COLUMN\s+(?:(?!\bDEFAULT\b)[^,;])*\bNOT\s+NULL\b(?:(?!\bDEFAULT\b)[^,;])*(?=,|;|$)/i,
    'adds a NOT NULL column without a default',
  ],
];

export interface Finding {
  migration: string;
  problem: string;
  statement: string;
}

/** Statements with the comment lines written just before each. */
function statements(sql: string): { comments: string; code: string }[] {
  // Dollar-quoted bodies (functions, DO blocks) may hold semicolons: keep them whole.
  const parts: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of sql.split('\n')) {
    current += `${line}\n`;
    const dollars = (line.match(/\$\$/g) ?? []).length;
    if (dollars % 2 === 1) inDollar = !inDollar;
    if (!inDollar && /;\s*(--.*)?$/.test(line)) {
      parts.push(current);
      current = '';
    }
  }
  if (current.trim()) parts.push(current);
  return parts.map((part) => {
    const lines = part.split('\n');
    return {
      comments: lines.filter((l) => l.trim().startsWith('--')).join('\n'),
      code: lines
        .filter((l) => !l.trim().startsWith('--'))
        .join('\n')
        .trim(),
    };
  });
}

export function contractingStatements(migration: string, sql: string): Finding[] {
  const findings: Finding[] = [];
  for (const { comments, code } of statements(sql)) {
    // Statements inside a function body are run later by the trigger, not by the migration.
    const outside = code.replace(/\$\$[\s\S]*?\$\$/g, '$$$$');
    for (const [pattern, problem] of CONTRACTING) {
      if (pattern.test(outside) && !/--\s*contract:\s*\S/i.test(comments))
        findings.push({ migration, problem, statement: code.split('\n')[0] });
    }
  }
  return findings;
}
