#!/usr/bin/env bash
# Tools the test suite needs beyond npm packages: Debian's Chromium (browser tests drive it with
# playwright-core; no browser download is possible here), docker-compose (validates the
# compose file without a Docker engine) and bubblewrap (the OS sandbox of agents' commands,
# libs/server/sandbox; `make dev` runs this too, since the runner refuses coding sessions without it).
set -euo pipefail
say() { printf '[test-tools] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# `ensure-test-tools.sh sandbox` (make dev): only what the runner itself needs.
missing=()
if [ "${1:-}" != sandbox ]; then
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
fi
command -v bwrap >/dev/null || missing+=(bubblewrap)
command -v prlimit >/dev/null || missing+=(util-linux)
[ ${#missing[@]} -eq 0 ] && { say "all present"; exit 0; }

if command -v apt-get >/dev/null; then
  say "installing ${missing[*]} from the distribution's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "please install: ${missing[*]} (or set CHROMIUM_PATH to a Chromium binary)"
  exit 1
fi
