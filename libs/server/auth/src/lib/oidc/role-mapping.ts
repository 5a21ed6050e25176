import { UserRole } from '@autocoder/shared-contracts';

/** Which claim holds a person's groups or roles, and which values make which role. */
export interface RoleMapping {
  /** Claim name, or a dotted path into nested claims (Keycloak: `realm_access.roles`). */
  claim: string;
  adminValues: readonly string[];
  viewerValues: readonly string[];
  /** Role of a signed-in person matching neither list; null refuses them. */
  defaultRole: UserRole | null;
}

/** The claim's value at a dotted path, as a list of strings (a single string becomes one). */
export function claimValues(claims: Record<string, unknown>, path: string): string[] {
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** admin wins over viewer; null when the person has no role here. */
export function roleFromClaims(
  claims: Record<string, unknown>,
  mapping: RoleMapping,
): UserRole | null {
  const values = new Set(claimValues(claims, mapping.claim));
  if (mapping.adminValues.some((v) => values.has(v))) return 'admin';
  if (mapping.viewerValues.some((v) => values.has(v))) return 'viewer';
  return mapping.defaultRole;
}
