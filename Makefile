# AutoCoder: the two commands are `make dev` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export NX_DAEMON ?= false
export NX_NO_CLOUD ?= true

# Migrations run as the owner of the tables; api and runner connect as a role of their own that
# owns nothing (DATABASE_URL; by default autocoder_app_dev, see tools/dev/dev-database.mjs).
# The owner's URL goes only to the recipes that migrate, never to tests or the apps.
MIGRATION_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/autocoder
REDIS_URL ?= redis://127.0.0.1:6379
export REDIS_URL

APPS := api,runner,llm-fake,dev-idp,git-server,admin
# make dev watches api, runner and the console (DEV_WATCH=0: runs the built dist/ instead), so it
# builds only the rest up front; the watchers build the others (tools/dev/start.mjs).
DEV_WATCH ?= 1
export DEV_WATCH
DEV_APPS := $(if $(filter 0,$(DEV_WATCH)),$(APPS),llm-fake,dev-idp,git-server)

.PHONY: help dev dev-build test chaos install services test-tools sandbox-tools migrate migration build seed start lint format format-check docs-config clean bench-demo replay-failed

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

dev: install services sandbox-tools migrate dev-build ## Install, prepare Postgres/Redis, migrate, build, start everything (reloading on change; DEV_WATCH=0: built only) and seed the demo
	MIGRATION_DATABASE_URL='$(MIGRATION_DATABASE_URL)' node tools/dev/start.mjs

dev-build: install
	npx nx run-many -t build -p $(DEV_APPS) --parallel=2 --outputStyle=static

test: install services test-tools lint build ## Run every test (unit, integration, e2e, browser) with the libs' coverage gate and print "N passed, N failed"
	node tools/test/run-all.mjs

chaos: install services build ## The fleet's chaos suite alone (also in make test): private Postgres and Redis restarted mid-build
	npx jest apps/platform-e2e/src/fleet-chaos.e2e-spec.ts --ci --maxWorkers=1

install: node_modules/.install-stamp ## npm install (when package-lock.json changed), the Prisma client, the git hooks
	npm run --silent db:generate
	@# The pre-commit secret scan (lefthook.yml); skipped outside a git checkout.
	@if git rev-parse --git-dir >/dev/null 2>&1; then npx lefthook install >/dev/null; fi

# npm install rather than npm ci: the registry lacks some of sass-embedded's optional platform
# packages, which npm leaves out of the lock file and npm ci then reports as missing.
node_modules/.install-stamp: package-lock.json package.json
	npm install --no-audit --no-fund
	@touch $@

services: ## Make sure Postgres and Redis are reachable (start or install them where possible)
	bash tools/dev/ensure-services.sh

test-tools: ## Install Chromium, docker-compose and bubblewrap from the distribution when missing
	bash tools/dev/ensure-test-tools.sh

sandbox-tools: ## Install bubblewrap (the OS sandbox of agents' commands) when missing
	bash tools/dev/ensure-test-tools.sh sandbox

migrate: install ## Apply prisma/migrations as MIGRATION_DATABASE_URL (creates the database if needed) and set up the app's role of DATABASE_URL
	export MIGRATION_DATABASE_URL='$(MIGRATION_DATABASE_URL)'; \
	DATABASE_URL="$${DATABASE_URL:-$$(node tools/dev/dev-database.mjs app-url)}" node tools/prisma/migrate.mjs deploy

migration: install ## Create a migration from schema changes: make migration NAME=add_x
	@test -n "$(NAME)" || (echo "usage: make migration NAME=some_change" && exit 1)
	node tools/prisma/migrate.mjs create $(NAME)

build: install ## Build api, runner, llm-fake, the git server and the console into dist/
	npx nx run-many -t build -p $(APPS) --parallel=2 --outputStyle=static

seed: ## Create the demo project through the running api (idempotent)
	node tools/dev/seed-demo.mjs

replay-failed: ## Replay a queue's failed jobs: make replay-failed QUEUE=chat [LIMIT=n] [DRY_RUN=1] (REDIS_URL, QUEUE_PREFIX)
	@test -n "$(QUEUE)" || { echo 'usage: make replay-failed QUEUE=<agent-session|control|chat> [LIMIT=n] [DRY_RUN=1]' >&2; exit 2; }
	node tools/ops/replay-failed.mjs --queue "$(QUEUE)" $(if $(LIMIT),--limit "$(LIMIT)") $(if $(DRY_RUN),--dry-run)

lint: install ## ESLint with Nx module boundaries on every project, unused/unlisted dependencies (knip), Redocly on the api's OpenAPI document
	npx nx run-many -t lint --parallel=2 --outputStyle=static
	npx knip --no-progress --no-config-hints --tsConfig tsconfig.base.json
	$(MAKE) --no-print-directory lint-openapi

.PHONY: lint-openapi
lint-openapi: ## The api's OpenAPI document, exported without a server, under Redocly's recommended rules
	SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register apps/api/src/export-openapi.ts tmp/openapi/openapi.json
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx redocly lint tmp/openapi/openapi.json

format: ## Prettier, in place
	npx prettier --write .

format-check: ## Prettier, check only
	npx prettier --check .

docs-config: ## Regenerate docs/configuration.md from the configuration schema
	UPDATE_DOCS=1 npx jest -c libs/server/config/jest.config.cts configuration-doc

# ---- Backups (RUNBOOK.md, "Back up and restore") ----
# Postgres as the owner of the tables (BACKUP_DATABASE_URL, default MIGRATION_DATABASE_URL) and
# the git server's repositories: GIT_SERVER_URL with GIT_SERVER_TOKEN when set, else make dev's
# GIT_SERVER_ROOT (tmp/git-server) on this disk.
BACKUP_DIR ?= backups
GIT_SERVER_ROOT ?= tmp/git-server
export BACKUP_DIR

.PHONY: backup restore
backup: install ## Back up Postgres (pg_dump) and every repository into BACKUP_DIR/<UTC time>/ with checksums; keeps the newest BACKUP_KEEP (14)
	export BACKUP_DATABASE_URL="$${BACKUP_DATABASE_URL:-$(MIGRATION_DATABASE_URL)}" GIT_SERVER_ROOT='$(GIT_SERVER_ROOT)'; \
	node tools/ops/backup.mjs backup

restore: install ## Restore a backup, then migrate: make restore BACKUP=backups/<UTC time> [YES=1 to replace existing data] (stop make dev first)
	@test -n "$(BACKUP)" || (echo "usage: make restore BACKUP=backups/<UTC time> [YES=1]" && exit 1)
	@# Without GIT_SERVER_URL the script starts the built git server on GIT_SERVER_ROOT meanwhile.
	@if [ -z "$$GIT_SERVER_URL" ] && [ ! -f dist/apps/git-server/main.js ]; then npx nx build git-server --outputStyle=static; fi
	export BACKUP_DATABASE_URL="$${BACKUP_DATABASE_URL:-$(MIGRATION_DATABASE_URL)}" GIT_SERVER_ROOT='$(GIT_SERVER_ROOT)'; \
	node tools/ops/backup.mjs restore '$(BACKUP)' $(if $(YES),--yes)
	$(MAKE) --no-print-directory migrate

clean: ## Remove build output and caches
	rm -rf dist tmp .nx/cache coverage


# ---- Benchmarks (figures go to docs/benchmarks.md) ----
bench-demo: build ## Demo project: POST → 24 features on the board, vs. the SDK alone
	node bench/demo-board-fill.mjs --runs 5

.PHONY: bench-claims
bench-claims: install services ## Feature claims vs a plain SKIP LOCKED loop (scratch database, ~2 min)
	node bench/claims.mjs

.PHONY: bench-console-bytes
bench-console-bytes: install ## Console's initial JS and CSS: raw, gzip and brotli bytes (fails above 250 kB gzip)
	npx nx build admin
	node bench/console-bytes.mjs

.PHONY: bench-turn bench-sessions
bench-turn: install services ## Platform overhead per agent turn vs the bare loop (scratch database, ~2 min)
	node bench/agent-turn.mjs

bench-sessions: install services ## Coding sessions/s over 2 runners vs BullMQ empty jobs/s (scratch database, ~5 min)
	npx nx run-many -t build -p api,runner,llm-fake,git-server --parallel=2 --outputStyle=static
	node bench/sessions.mjs

.PHONY: bench-scale-out
bench-scale-out: install services ## Features/min over 1, 2 and 4 runner processes (model turns of 2 s), efficiency per added runner and CPU (scratch database, ~7 min)
	npx nx run-many -t build -p api,runner,llm-fake,git-server --parallel=1 --outputStyle=static
	node bench/scale-out.mjs

.PHONY: bench-board-render
bench-board-render: install services test-tools ## Board in Chromium: 10,000 vs 100 features render, text filter latency (scratch database, ~3 min)
	npx nx run-many -t build -p api,admin --parallel=1 --outputStyle=static
	node bench/board-render.mjs

.PHONY: bench-graph
bench-graph: install services test-tools ## Dependency graph in Chromium: 2,000 vs 100 features layout, first render, pan/zoom frame times (scratch database, ~4 min)
	npx nx run-many -t build -p api,admin --parallel=1 --outputStyle=static
	node bench/graph-render.mjs

.PHONY: bench-board-api
bench-board-api: install services ## Board API p99 at 200 req/s on 10,000 features vs an empty route (scratch database, ~3 min)
	npx nx build api --outputStyle=static
	node bench/board-api.mjs

.PHONY: bench-prompt-cache
bench-prompt-cache: install ## Billed input cost per passing feature: prompt caching on vs off vs the optimum (offline, llm-fake, ~10 s)
	node bench/prompt-cache.mjs

.PHONY: bench-sandbox
bench-sandbox: install test-tools ## Cost per command of the OS sandbox (bwrap) vs the same command unsandboxed, p50/p95 over 200 runs (~1 min)
	node bench/sandbox-overhead.mjs

.PHONY: bench-chat-search
bench-chat-search: install services ## Conversation search p95 over 100,000 messages vs an empty route (scratch database, ~4 min)
	npx nx build api --outputStyle=static
	node bench/chat-search.mjs

.PHONY: bench-merge-queue
bench-merge-queue: install services ## Merge throughput on one project: 10 agents finishing together, 2 s verification, batching queue vs one at a time (scratch database, ~2 min)
	node bench/merge-throughput.mjs
