# syntax=docker/dockerfile:1
#
# The Angular console, built with Nx and served as static files by an unprivileged nginx.
# Build from the repository root:
#
#   docker build -f deploy/docker/admin.Dockerfile -t autocoder/admin .

ARG NODE_IMAGE=node:20-bookworm-slim
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.27-alpine

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true CI=true
COPY package.json package-lock.json .npmrc ./
RUN npm ci

FROM deps AS build
COPY nx.json tsconfig.base.json jest.config.ts jest.preset.js eslint.config.mjs ./
COPY tools ./tools
COPY libs ./libs
COPY apps ./apps
RUN npx nx build admin \
    && test -f dist/apps/admin/browser/index.html

FROM ${NGINX_IMAGE} AS runtime
COPY deploy/docker/admin-nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/dist/apps/admin/browser /usr/share/nginx/html
# nginx-unprivileged runs as uid 101 and listens on 8080.
USER 101
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
