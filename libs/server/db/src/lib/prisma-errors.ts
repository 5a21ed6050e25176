const CODES = { unique: 'P2002', foreignKey: 'P2003', missing: 'P2025' } as const;

/** Whether `err` is Prisma's unique or foreign-key violation, or its "record to change not found". */
export function isPrismaError(err: unknown, kind: keyof typeof CODES): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { code?: unknown }).code === CODES[kind]
  );
}
