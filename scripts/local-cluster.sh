#!/usr/bin/env bash
# A three-silo cluster on this machine over PostgreSQL (the private server of scripts/postgres.sh).
#   scripts/local-cluster.sh start [N]   build once, start N silos (default 3): gateways 9000.., silo ports 11111..,
#                                        HTTP 8080..; logs and pids in $FLO_LOCAL_DIR (default /tmp/flo-local)
#   scripts/local-cluster.sh status      the membership table as the first silo sees it
#   scripts/local-cluster.sh kill I      kill -9 silo I (no graceful leave): watch the others declare it dead
#   scripts/local-cluster.sh stop        stop every silo gracefully (SIGTERM), then PostgreSQL if this script started it
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${FLO_LOCAL_DIR:-/tmp/flo-local}"
mkdir -p "$dir"

start() {
    local n="${1:-3}"
    dotnet build silo -c Release -v quiet -nologo >/dev/null
    if ! scripts/postgres.sh status; then
        touch "$dir/started-postgres"
    fi
    scripts/postgres.sh start >/dev/null
    eval "$(scripts/postgres.sh env)"
    for ((i = 0; i < n; i++)); do
        if [ -f "$dir/silo-$i.pid" ] && kill -0 "$(cat "$dir/silo-$i.pid")" 2>/dev/null; then
            echo "silo-$i is already running"
            continue
        fi
        CLUSTER__NAME="silo-$i" \
        CLUSTER__CLUSTERID="local" \
        CLUSTER__ENDPOINTS__LISTENADDRESS="127.0.0.1" \
        CLUSTER__ENDPOINTS__GATEWAYPORT=$((9000 + i)) \
        CLUSTER__ENDPOINTS__SILOPORT=$((11111 + i)) \
        CLUSTER__ENDPOINTS__HTTPPORT=$((8080 + i)) \
        CLUSTER__STORAGE__PROVIDER="Postgres" \
        CLUSTER__STORAGE__CONNECTIONSTRING="$FLO_TEST_POSTGRES" \
            nohup dotnet silo/bin/Release/net10.0/Flo.Silo.dll >"$dir/silo-$i.log" 2>&1 &
        echo $! >"$dir/silo-$i.pid"
        echo "silo-$i: gateway 127.0.0.1:$((9000 + i)), HTTP http://127.0.0.1:$((8080 + i)), log $dir/silo-$i.log"
    done
    for ((i = 0; i < n; i++)); do
        for _ in $(seq 1 100); do
            curl -fs "http://127.0.0.1:$((8080 + i))/health/ready" >/dev/null 2>&1 && break
            sleep 0.2
        done
    done
    status
}

status() {
    curl -fs "http://127.0.0.1:8080/cluster/members" || { echo "silo-0 does not answer on :8080"; return 1; }
    echo
}

stop() {
    for pid in "$dir"/silo-*.pid; do
        [ -f "$pid" ] || continue
        kill "$(cat "$pid")" 2>/dev/null || true
        rm -f "$pid"
    done
    sleep 1
    if [ -f "$dir/started-postgres" ]; then
        scripts/postgres.sh stop
        rm -f "$dir/started-postgres"
    fi
}

case "${1:-}" in
    start) start "${2:-3}" ;;
    status) status ;;
    kill) kill -9 "$(cat "$dir/silo-$2.pid")" && rm -f "$dir/silo-$2.pid" ;;
    stop) stop ;;
    *) echo "usage: $0 start [N]|status|kill I|stop" >&2; exit 2 ;;
esac
