#!/usr/bin/env bash
# The test command (README, CI): starts a private PostgreSQL (installing Debian's postgresql if it is missing),
# restores, builds and runs every test, then stops PostgreSQL. Extra arguments go to `dotnet test`,
# e.g. ./test.sh --filter Category=Storage
set -euo pipefail
cd "$(dirname "$0")"

command -v dotnet >/dev/null || { echo "test.sh: the .NET SDK (dotnet) is required" >&2; exit 1; }

scripts/postgres.sh start >/dev/null
trap 'scripts/postgres.sh stop >/dev/null 2>&1 || true' EXIT
eval "$(scripts/postgres.sh env)"
export FLO_TEST_POSTGRES

dotnet restore Cluster.sln
dotnet build Cluster.sln -c Release --no-restore
dotnet test Cluster.sln -c Release --no-build --logger "console;verbosity=minimal" "$@"
