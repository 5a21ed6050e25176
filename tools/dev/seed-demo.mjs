#!/usr/bin/env node
// Creates the demo project through the running api and starts its initializer (idempotent:
// does nothing when a project of that name exists). Uses the REST API like any client would;
// standalone (`make seed`), an admin token comes from API_TOKEN.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_NAME = 'Demo - Todo list app';
/**
 * Runs every test the demo's scripted coding agents write (test/<feature>.test.js, Node's own test
 * runner) on each merge, so a feature passes only when its test does, as in a real project.
 */
export const DEMO_VERIFY_COMMAND = 'node --test';

/** `accessToken`: an admin's bearer token (AUTH_MODE=oidc); none needed with AUTH_MODE=none. */
export async function seedDemo(apiUrl, accessToken) {
  const spec = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'demo-spec.md'), 'utf8');
  const auth = accessToken ? { authorization: `Bearer ${accessToken}` } : {};
  const found = await fetch(`${apiUrl}/api/v1/projects?q=${encodeURIComponent(DEMO_NAME)}`, {
    headers: auth,
  }).then((r) => r.json());
  const existing = found.items?.find((p) => p.name === DEMO_NAME);
  if (existing) {
    // A demo seeded before it had a verification command gets it now.
    if (!existing.verifyCommand) {
      const patched = await fetch(`${apiUrl}/api/v1/projects/${existing.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ verifyCommand: DEMO_VERIFY_COMMAND }),
      });
      if (!patched.ok)
        throw new Error(`setting the demo's verification command answered ${patched.status}`);
      return { project: await patched.json(), created: false };
    }
    return { project: existing, created: false };
  }
  const res = await fetch(`${apiUrl}/api/v1/projects`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({
      name: DEMO_NAME,
      spec,
      verifyCommand: DEMO_VERIFY_COMMAND,
      start: true,
    }),
  });
  if (res.status !== 201)
    throw new Error(`creating the demo project answered ${res.status}: ${await res.text()}`);
  return { project: await res.json(), created: true };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const apiUrl = process.env.API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? 3000}`;
  seedDemo(apiUrl, process.env.API_TOKEN).then(
    ({ project, created }) =>
      console.log(`${created ? 'created' : 'found'} demo project ${project.id}`),
    (err) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
