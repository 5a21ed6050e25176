# syntax=docker/dockerfile:1
#
# One image recipe for the Node services. Build from the repository root:
#
#   docker build -f deploy/docker/node-app.Dockerfile --build-arg APP=api      -t autocoder/api .
#   docker build -f deploy/docker/node-app.Dockerfile --build-arg APP=runner   -t autocoder/runner .
#   docker build -f deploy/docker/node-app.Dockerfile --build-arg APP=llm-fake -t autocoder/llm-fake .
#   docker build -f deploy/docker/node-app.Dockerfile --build-arg APP=git-server -t autocoder/git-server .
#   docker build -f deploy/docker/node-app.Dockerfile --build-arg APP=dev-idp  -t autocoder/dev-idp .
#
# The api image also carries prisma/ and tools/prisma/ so that the same image runs the
# migration job (`node tools/prisma/migrate.mjs deploy`), tools/ops/replay-failed.mjs for
# operators (RUNBOOK.md, "Replay failed jobs"), and tools/ops/ with pg_dump and pg_restore
# (postgresql-client) for backups (`node tools/ops/backup.mjs`, RUNBOOK.md).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
# deps: the full dependency tree (dev dependencies included: Nx, webpack, Prisma CLI).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true CI=true
COPY package.json package-lock.json .npmrc ./
RUN npm ci

# ---------------------------------------------------------------------------------------------
# build: Prisma client generation, then the webpack bundle of one app.
FROM deps AS build
ARG APP
RUN case "${APP}" in api|runner|llm-fake|dev-idp|git-server) ;; \
      *) echo "build-arg APP must be api, runner, llm-fake, dev-idp or git-server (got '${APP}')" >&2; exit 1 ;; esac
# Only what the build needs: no node_modules, dist, .git or deploy/secrets from the host.
COPY nx.json tsconfig.base.json jest.config.ts jest.preset.js eslint.config.mjs prisma.config.ts ./
COPY prisma ./prisma
COPY tools ./tools
COPY libs ./libs
COPY apps ./apps
COPY deploy/docker/healthcheck.js ./deploy/docker/healthcheck.js
# The generated client (libs/server/db/src/generated) is bundled by webpack into main.js.
RUN npm run db:generate && npx nx build "${APP}"
# Stage the files the runtime image needs under /staging, per app. The api image also gets the
# WebAssembly schema engine (a dev dependency) that migrate.mjs needs at run time.
RUN set -eux; \
    mkdir -p "/staging/dist/apps" "/staging/deploy/docker"; \
    cp -r "dist/apps/${APP}" "/staging/dist/apps/${APP}"; \
    cp deploy/docker/healthcheck.js /staging/deploy/docker/; \
    if [ "${APP}" = "api" ]; then \
      cp -r prisma /staging/prisma; \
      mkdir -p /staging/tools /staging/node_modules/@prisma; \
      cp -r tools/prisma /staging/tools/prisma; \
      mkdir -p /staging/tools/ops; \
      cp tools/ops/replay-failed.mjs tools/ops/backup.mjs tools/ops/manifest.mjs /staging/tools/ops/; \
      cp -r node_modules/@prisma/schema-engine-wasm /staging/node_modules/@prisma/; \
    fi; \
    if [ "${APP}" = "llm-fake" ]; then \
      mkdir -p /staging/apps/llm-fake; \
      cp -r apps/llm-fake/scenarios /staging/apps/llm-fake/scenarios; \
    fi

# ---------------------------------------------------------------------------------------------
# runtime: production dependencies only, non-root, read-only application files.
FROM ${NODE_IMAGE} AS runtime
ARG APP
ENV NODE_ENV=production \
    APP=${APP} \
    NPM_CONFIG_UPDATE_NOTIFIER=false
# tini reaps zombies and forwards signals (the runner spawns child processes); git is how the
# runner keeps its cache clones, the api its read cache (diffs, browser, archives), and the git
# server serves the projects' repositories (`git http-backend`, part of Debian's git). The runner also
# gets bubblewrap, the OS sandbox of agents' and verification commands (libs/server/sandbox;
# prlimit comes with util-linux, which the base image has); it needs user namespaces at run time
# (docs/security.md, "Running the sandbox"). The api image, which also runs backups, gets
# Debian bookworm's postgresql-client (15): pg_dump must be at least the server's major version,
# so a newer Postgres server needs a newer client here (RUNBOOK.md, "Back up and restore").
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini git \
    && if [ "${APP}" = "runner" ]; then apt-get install -y --no-install-recommends bubblewrap; fi \
    && if [ "${APP}" = "api" ]; then apt-get install -y --no-install-recommends postgresql-client; fi \
    && rm -rf /var/lib/apt/lists/*
# Mount points owned by `node`, so that a Docker volume mounted there starts out writable:
# WORKSPACE_ROOT (the runner's cache clones and worktrees, the api's read cache; disposable,
# never shared), GIT_SERVER_ROOT (the git server's repositories; persistent) and BACKUP_DIR
# (backups, written by the api image's backup job).
RUN mkdir -p /var/lib/autocoder/workspaces /var/lib/autocoder/git /var/backups/autocoder \
    && chown node:node /var/lib/autocoder/workspaces /var/lib/autocoder/git /var/backups/autocoder
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /staging/ ./
# Files stay owned by root; the process runs as the image's unprivileged `node` user (uid 1000).
USER node
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "deploy/docker/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# Equivalent to CMD ["node", "dist/apps/<app>/main.js"] for the APP this image was built for.
CMD ["sh", "-c", "exec node dist/apps/${APP}/main.js"]
