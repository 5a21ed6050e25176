// The login role api and runner connect as: a member of the autocoder_app group (migration
// app_role), which owns nothing and may only add and read audit events. `migrate.mjs deploy`
// creates it, or sets its password, from the user and password of the app's DATABASE_URL,
// connected as the owner (MIGRATION_DATABASE_URL). Running it again with a new password is how
// the password is rotated (RUNBOOK.md).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

import pg from 'pg';

import { databaseName, quoteIdent, redactUrl } from './engine.mjs';

export const APP_GROUP = 'autocoder_app';

/** Role name and password of a connection string (percent-decoded). */
export function credentialsOf(databaseUrl) {
  const url = new URL(databaseUrl);
  return {
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

/**
 * A SCRAM-SHA-256 verifier of `password` (RFC 5802/7677, the format of pg_authid.rolpassword),
 * so the password itself never travels in a statement that the server could log.
 */
export function scramVerifier(password, salt = randomBytes(16), iterations = 4096) {
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/**
 * Creates the app's login role (or sets its password), member of autocoder_app and nothing
 * else. Refuses a role that is a superuser or owns tables: that role would bypass the very
 * controls this split exists for.
 */
export async function ensureAppLogin(ownerUrl, appUrl) {
  const { user, password } = credentialsOf(appUrl);
  if (!user) throw new Error(`DATABASE_URL ${redactUrl(appUrl)} names no role`);
  if (!password)
    throw new Error(`DATABASE_URL ${redactUrl(appUrl)} has no password for role "${user}"`);
  if (databaseName(appUrl) !== databaseName(ownerUrl))
    throw new Error('DATABASE_URL and MIGRATION_DATABASE_URL name different databases');
  const role = quoteIdent(user);
  // A verifier in single quotes: base64 and `$:` only, nothing to escape.
  const secret = `'${scramVerifier(password)}'`;
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
              -- owns a table itself or through a role it is a member of (the owner's, say)
              EXISTS (SELECT FROM pg_class c
                       WHERE c.relnamespace = 'public'::regnamespace
                         AND pg_has_role(r.oid, c.relowner, 'USAGE')) AS owns
         FROM pg_roles r WHERE r.rolname = $1`,
      [user],
    );
    const existing = rows[0];
    if (existing) {
      if (
        existing.rolsuper ||
        existing.rolcreaterole ||
        existing.rolcreatedb ||
        existing.rolbypassrls ||
        existing.owns
      )
        throw new Error(
          `role "${user}" of DATABASE_URL is a superuser, may create roles or databases, bypasses ` +
            'row security or owns tables (also through a role it is a member of): give api and runner a role of their own (RUNBOOK.md)',
        );
      await client.query(`ALTER ROLE ${role} WITH LOGIN INHERIT PASSWORD ${secret}`);
    } else {
      try {
        await client.query(`CREATE ROLE ${role} WITH LOGIN INHERIT PASSWORD ${secret}`);
      } catch (error) {
        // Created meanwhile by another deploy against the same server: set the password.
        if (error?.code !== '42710' && error?.code !== '23505') throw error;
        await client.query(`ALTER ROLE ${role} WITH LOGIN INHERIT PASSWORD ${secret}`);
      }
    }
    await client.query(`GRANT ${quoteIdent(APP_GROUP)} TO ${role}`);
    await client.query(
      `GRANT CONNECT ON DATABASE ${quoteIdent(databaseName(ownerUrl))} TO ${quoteIdent(APP_GROUP)}`,
    );
    return { role: user, created: !existing };
  } finally {
    await client.end();
  }
}
