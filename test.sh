#!/usr/bin/env bash
# The test command (README, CI): installs redis-cli (Debian's redis-tools) and Chromium (Debian's chromium, for the
# dashboard tests) if missing, starts a private PostgreSQL
# (installing Debian's postgresql if it is missing),
# restores, builds and runs every test, then stops PostgreSQL. Extra arguments go to `dotnet test`,
# e.g. ./test.sh --filter Category=Storage
set -euo pipefail
cd "$(dirname "$0")"

command -v dotnet >/dev/null || { echo "test.sh: the .NET SDK (dotnet) is required" >&2; exit 1; }

# redis-cli (Debian's redis-tools) for the RESP endpoint tests; /usr/bin/chromium (Debian's chromium) for the
# dashboard tests, which drive it with Playwright (never `playwright install`: no browser download).
missing=()
command -v redis-cli >/dev/null || missing+=(redis-tools)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "test.sh: installing ${missing[*]} with apt-get" >&2
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A PostgreSQL that was already running (a developer's session) is reused and left running.
if ! scripts/postgres.sh status; then
    trap 'scripts/postgres.sh stop >/dev/null 2>&1 || true' EXIT
fi
scripts/postgres.sh start >/dev/null
eval "$(scripts/postgres.sh env)"
export FLO_TEST_POSTGRES

dotnet restore Cluster.sln
dotnet build Cluster.sln -c Release --no-restore
# minimal: one line per failed test (with its message and stack) and the counts per test project.
dotnet test Cluster.sln -c Release --no-build --logger "console;verbosity=minimal" "$@"
