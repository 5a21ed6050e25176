// Static checks of the Dockerfiles (no Docker engine on these machines to build them).
import { existsSync } from 'node:fs';
import { readText, readYaml, repoPath } from './deploy-test-utils';

function stages(dockerfile: string): string[] {
  return [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);
}

/** Files and folders a COPY (without --from) takes from the build context. */
function contextSources(dockerfile: string): string[] {
  return [...dockerfile.matchAll(/^COPY\s+(?!--from)(?:--\S+\s+)*(.+)$/gim)].flatMap((m) =>
    m[1].trim().split(/\s+/).slice(0, -1),
  );
}

describe('deploy/docker/node-app.Dockerfile', () => {
  const text = readText('deploy', 'docker', 'node-app.Dockerfile');

  it('has deps, build and runtime stages parameterised by APP', () => {
    expect(stages(text)).toEqual(['deps', 'build', 'runtime']);
    expect(text).toMatch(/^FROM node:20-bookworm-slim|^ARG NODE_IMAGE=node:20-bookworm-slim/m);
    expect(text).toMatch(/^ARG APP$/m);
    expect(text).toMatch(/npm ci\n/);
    expect(text).toContain('npm run db:generate && npx nx build "${APP}"');
    expect(text).toContain('npm ci --omit=dev');
  });

  it('runs as a non-root user with a health check and the app bundle as command', () => {
    const runtime = text.slice(text.indexOf('AS runtime'));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).toContain('node dist/apps/${APP}/main.js');
    expect(text).toContain('cp -r prisma /staging/prisma');
    expect(text).toContain('cp -r tools/prisma /staging/tools/prisma');
    expect(text).toContain('apps/llm-fake/scenarios');
  });

  it('installs git in the runtime image (repositories live in git for the runner and the api)', () => {
    const runtime = text.slice(text.indexOf('AS runtime'));
    expect(runtime).toMatch(/apt-get install -y --no-install-recommends [^\n]*\bgit\b/);
  });

  it('builds every app that compose builds from it (the APP guard lists them all)', () => {
    const guard = /case "\$\{APP\}" in ([a-z|-]+)\)/.exec(text)?.[1].split('|') ?? [];
    const compose = readYaml<{
      services: Record<string, { build?: { dockerfile?: string; args?: { APP?: string } } }>;
    }>('docker-compose.yml');
    const apps = Object.values(compose.services)
      .filter((s) => s.build?.dockerfile === 'deploy/docker/node-app.Dockerfile')
      .map((s) => s.build?.args?.APP);
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps)
      expect({ app, accepted: guard.includes(app ?? '') }).toEqual({
        app,
        accepted: true,
      });
  });

  it('creates the mount points of WORKSPACE_ROOT and GIT_SERVER_ROOT owned by node', () => {
    const runtime = text.slice(text.indexOf('AS runtime'));
    const mkdir = /mkdir -p ([^\n&]+)\\?\n\s*&& chown node:node ([^\n]+)/.exec(runtime);
    const made = mkdir?.[1].trim().split(/\s+/) ?? [];
    const owned = mkdir?.[2].trim().split(/\s+/) ?? [];
    for (const dir of ['/var/lib/autocoder/workspaces', '/var/lib/autocoder/git']) {
      expect({ dir, made: made.includes(dir), owned: owned.includes(dir) }).toEqual({
        dir,
        made: true,
        owned: true,
      });
    }
    // Before USER node: only root may chown.
    expect(runtime.indexOf('chown node:node')).toBeLessThan(runtime.indexOf('USER node'));
  });

  it("gives the api's image what backups need: pg_dump, tools/ops and BACKUP_DIR owned by node", () => {
    const runtime = text.slice(text.indexOf('AS runtime'));
    expect(runtime).toMatch(
      /if \[ "\$\{APP\}" = "api" \]; then apt-get install[^;]* postgresql-client;/,
    );
    // The script and every module it imports.
    const copied = /cp (tools\/ops\/\S+(?: tools\/ops\/\S+)*) \/staging\/tools\/ops\//
      .exec(text)?.[1]
      .split(' ');
    const imported = [
      ...readText('tools', 'ops', 'backup.mjs').matchAll(/from '\.\/([^']+)'/g),
    ].map((m) => `tools/ops/${m[1]}`);
    expect(copied).toEqual(
      expect.arrayContaining(['tools/ops/backup.mjs', 'tools/ops/replay-failed.mjs', ...imported]),
    );
    expect(runtime).toMatch(/mkdir -p [^\n]*\/var\/backups\/autocoder/);
    expect(runtime).toMatch(/chown node:node [^\n]*\/var\/backups\/autocoder/);
    // Backups on the build host never go into the build context.
    expect(readText('deploy', 'docker', 'node-app.Dockerfile.dockerignore')).toMatch(/^backups$/m);
  });

  it("installs bubblewrap in the runner's image, for the sandbox of agents' commands", () => {
    const runtime = text.slice(text.indexOf('AS runtime'));
    expect(runtime).toMatch(
      /if \[ "\$\{APP\}" = "runner" \]; then apt-get install[^;]* bubblewrap;/,
    );
  });

  it('copies only context files that exist', () => {
    for (const source of contextSources(text)) {
      expect({ source, exists: existsSync(repoPath(source)) }).toEqual({ source, exists: true });
    }
  });
});

describe('deploy/docker/admin.Dockerfile', () => {
  const text = readText('deploy', 'docker', 'admin.Dockerfile');

  it('builds the console with Nx and serves it from unprivileged nginx', () => {
    expect(stages(text)).toEqual(['deps', 'build', 'runtime']);
    expect(text).toContain('npx nx build admin');
    expect(text).toContain('dist/apps/admin/browser');
    expect(text).toMatch(/NGINX_IMAGE=nginxinc\/nginx-unprivileged/);
    expect(text).toContain('deploy/docker/admin-nginx.conf');
    expect(text).toMatch(/^HEALTHCHECK /m);
  });

  it('copies only context files that exist', () => {
    for (const source of contextSources(text)) {
      expect({ source, exists: existsSync(repoPath(source)) }).toEqual({ source, exists: true });
    }
  });
});

describe('deploy/docker/admin-nginx.conf', () => {
  const conf = readText('deploy', 'docker', 'admin-nginx.conf');

  it('falls back to index.html, never caches it, and caches hashed assets for long', () => {
    expect(conf).toContain('try_files $uri $uri/ /index.html;');
    expect(conf).toMatch(/location = \/index\.html \{[^}]*no-cache/);
    expect(conf).toMatch(/max-age=31536000, immutable/);
    expect(conf).toContain('listen 8080;');
  });

  it("gzips the console's scripts, styles and JSON", () => {
    expect(conf).toMatch(/^\s*gzip on;/m);
    expect(conf).toMatch(/^\s*gzip_vary on;/m);
    const types = /^\s*gzip_types ([^;]+);/m.exec(conf)?.[1].split(/\s+/) ?? [];
    expect(types).toEqual(
      expect.arrayContaining([
        'application/javascript',
        'text/javascript',
        'text/css',
        'application/json',
      ]),
    );
  });
});
