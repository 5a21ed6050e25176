import { claimValues, RoleMapping, roleFromClaims } from './role-mapping';

const mapping: RoleMapping = {
  claim: 'groups',
  adminValues: ['autocoder-admins'],
  viewerValues: ['autocoder-viewers', 'staff'],
  defaultRole: null,
};

describe('roleFromClaims', () => {
  it('maps groups to roles, admin first', () => {
    expect(roleFromClaims({ groups: ['staff', 'autocoder-admins'] }, mapping)).toBe('admin');
    expect(roleFromClaims({ groups: ['staff'] }, mapping)).toBe('viewer');
  });

  it('refuses or defaults a person in no mapped group', () => {
    expect(roleFromClaims({ groups: ['sales'] }, mapping)).toBeNull();
    expect(roleFromClaims({}, mapping)).toBeNull();
    expect(roleFromClaims({ groups: ['sales'] }, { ...mapping, defaultRole: 'viewer' })).toBe(
      'viewer',
    );
  });

  it('reads nested claims (Keycloak realm roles) and space-separated strings (scope-like)', () => {
    const keycloak = { ...mapping, claim: 'realm_access.roles' };
    expect(roleFromClaims({ realm_access: { roles: ['autocoder-admins'] } }, keycloak)).toBe(
      'admin',
    );
    expect(claimValues({ roles: 'a b,c' }, 'roles')).toEqual(['a', 'b', 'c']);
  });

  it('ignores values of the wrong type instead of throwing', () => {
    expect(claimValues({ groups: [1, null, 'x'] }, 'groups')).toEqual(['x']);
    expect(claimValues({ groups: { admin: true } }, 'groups')).toEqual([]);
    expect(claimValues({ a: 'x' }, 'a.b')).toEqual([]);
  });
});
