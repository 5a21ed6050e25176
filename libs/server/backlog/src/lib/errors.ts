import { ApiErrorIssue } from '@autocoder/shared-contracts';
import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';

/** 404 naming what was looked for. */
export function notFound(kind: string, id: string): NotFoundException {
  return new NotFoundException(`${kind} ${id} not found`);
}

/** 400 with field-level reasons, in the api's error shape. */
export function invalid(message: string, issues: ApiErrorIssue[]): BadRequestException {
  return new BadRequestException({ message, issues });
}

export function conflict(message: string, issues?: ApiErrorIssue[]): ConflictException {
  return new ConflictException(issues ? { message, issues } : { message });
}

/** Prisma's unique-constraint violation. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

/** Prisma's "record to update/delete not found". */
export function isRecordMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2025';
}
