import { AuditEventRepository } from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';

/** Keys whose values never enter the audit trail. */
const SECRET_KEY = /token|secret|password|authorization|cookie|apikey|api_key/i;
/** Keys kept although they match SECRET_KEY: they describe, not reveal. */
const SAFE_KEYS = new Set(['tokenId', 'tokenHash', 'prefix']);
/** Large text (specs, prompts) is cut so one event stays small. */
const MAX_STRING = 2000;

@Injectable()
export class AuditSnapshots {
  constructor(private readonly events: AuditEventRepository) {}

  has(target: string): boolean {
    return this.events.hasTarget(target);
  }

  async load(target: string, id: string | undefined): Promise<unknown> {
    if (!this.has(target) || !id || !/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    return redact(await this.events.loadTarget(target, id));
  }
}

/** A copy fit for the audit trail: secrets masked, long strings cut, BigInt and Decimal as text. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (depth > 6) return '[…]';
  if (typeof value === 'string')
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => redact(v, depth + 1));
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function' && !isPlainObject(value)) {
    return redact((value as { toJSON(): unknown }).toJSON(), depth + 1);
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_KEY.test(k) && !SAFE_KEYS.has(k) && v !== null ? '[redacted]' : redact(v, depth + 1),
    ]),
  );
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
