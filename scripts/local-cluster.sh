#!/usr/bin/env bash
# A local Orleans cluster on this machine: N silo processes (silo/bin/Release/net10.0/Flo.Silo.dll) with membership,
# reminders and state in PostgreSQL (the private server of scripts/postgres.sh; installed from Debian's packages if
# missing).
#   scripts/local-cluster.sh start [N]   build once, start the silos 0..N-1 that are not running (default 3) and wait
#                                        until they are ready: silo i has gateway 9000+i, silo port 11111+i, HTTP 8080+i,
#                                        RESP 6379+i; logs and pids in $FLO_LOCAL_DIR (default /tmp/flo-local)
#   scripts/local-cluster.sh status      the membership table as the first running silo sees it
#   scripts/local-cluster.sh kill I      kill -9 silo I (no graceful leave): the others declare it dead within ~5 s
#                                        (probe timeout 1 s, 3 missed probes, 2 votes: grains/Flo.Hosting/FloMembershipDefaults.cs)
#   scripts/local-cluster.sh restart I   start silo I again (after kill or stop) and wait until it is ready
#   scripts/local-cluster.sh ports I     prints "gateway silo http resp" of silo I
#   scripts/local-cluster.sh stop        SIGTERM every silo (each hands its grains off and leaves), wait for them to
#                                        exit, then stop PostgreSQL if this script started it
# Environment:
#   FLO_PORT_OFFSET    added to every port (default 0), e.g. 10000 for a second cluster beside the first
#   FLO_CLUSTER_ID     Orleans cluster id (default "local"); the service id is "flo"
#   FLO_POSTGRES       connection string (default: the database of scripts/postgres.sh)
#   FLO_SKIP_BUILD=1   use the silo build as it is (start builds it otherwise)
#   FLO_SILO_ARGS      extra arguments for every silo, e.g. "--Cluster:Membership:ProbeTimeout=00:00:02"
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${FLO_LOCAL_DIR:-/tmp/flo-local}"
offset="${FLO_PORT_OFFSET:-0}"
cluster_id="${FLO_CLUSTER_ID:-local}"
silo_dll="silo/bin/Release/net10.0/Flo.Silo.dll"
mkdir -p "$dir"

gateway_port() { echo $((9000 + offset + $1)); }
silo_port() { echo $((11111 + offset + $1)); }
http_port() { echo $((8080 + offset + $1)); }
resp_port() { echo $((6379 + offset + $1)); }

running() { [ -f "$dir/silo-$1.pid" ] && kill -0 "$(cat "$dir/silo-$1.pid")" 2>/dev/null; }

postgres_env() {
    if [ -z "${FLO_POSTGRES:-}" ]; then
        if ! scripts/postgres.sh status >/dev/null 2>&1; then
            touch "$dir/started-postgres"
        fi
        scripts/postgres.sh start >/dev/null
        eval "$(scripts/postgres.sh env)"
        FLO_POSTGRES="$FLO_TEST_POSTGRES"
    fi
}

start_one() {
    local i="$1"
    if running "$i"; then
        echo "silo-$i is already running (pid $(cat "$dir/silo-$i.pid"))"
        return
    fi
    # shellcheck disable=SC2086
    CLUSTER__NAME="silo-$i" \
    CLUSTER__CLUSTERID="$cluster_id" \
    CLUSTER__SERVICEID="flo" \
    CLUSTER__ENDPOINTS__LISTENADDRESS="127.0.0.1" \
    CLUSTER__ENDPOINTS__GATEWAYPORT="$(gateway_port "$i")" \
    CLUSTER__ENDPOINTS__SILOPORT="$(silo_port "$i")" \
    CLUSTER__ENDPOINTS__HTTPPORT="$(http_port "$i")" \
    CLUSTER__ENDPOINTS__RESPPORT="$(resp_port "$i")" \
    CLUSTER__STORAGE__PROVIDER="Postgres" \
    CLUSTER__STORAGE__CONNECTIONSTRING="$FLO_POSTGRES" \
        nohup dotnet "$silo_dll" ${FLO_SILO_ARGS:-} >>"$dir/silo-$i.log" 2>&1 &
    echo $! >"$dir/silo-$i.pid"
    echo "silo-$i: pid $!, gateway 127.0.0.1:$(gateway_port "$i"), silo port $(silo_port "$i"), HTTP http://127.0.0.1:$(http_port "$i"), RESP $(resp_port "$i"), log $dir/silo-$i.log"
}

wait_ready() {
    local i="$1"
    for _ in $(seq 1 600); do
        curl -fs "http://127.0.0.1:$(http_port "$i")/health/ready" >/dev/null 2>&1 && return 0
        running "$i" || { echo "silo-$i exited; last lines of $dir/silo-$i.log:" >&2; tail -n 20 "$dir/silo-$i.log" >&2; return 1; }
        sleep 0.1
    done
    echo "silo-$i is not ready after 60 s (log $dir/silo-$i.log)" >&2
    return 1
}

start() {
    local n="${1:-3}"
    if [ "${FLO_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$silo_dll" ]; then
        dotnet build silo -c Release -v quiet -nologo >/dev/null
    fi
    postgres_env
    for ((i = 0; i < n; i++)); do start_one "$i"; done
    for ((i = 0; i < n; i++)); do wait_ready "$i"; done
    status
}

status() {
    for pid in "$dir"/silo-*.pid; do
        [ -f "$pid" ] || continue
        local i; i="$(basename "$pid" .pid)"; i="${i#silo-}"
        if running "$i"; then
            curl -fs "http://127.0.0.1:$(http_port "$i")/cluster/members" && echo && return 0
        fi
    done
    echo "no silo answers (pids in $dir)"
    return 1
}

stop() {
    local pids=()
    for pid in "$dir"/silo-*.pid; do
        [ -f "$pid" ] || continue
        if kill "$(cat "$pid")" 2>/dev/null; then pids+=("$(cat "$pid")"); fi
        rm -f "$pid"
    done
    for p in "${pids[@]}"; do
        for _ in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    done
    if [ -f "$dir/started-postgres" ]; then
        scripts/postgres.sh stop
        rm -f "$dir/started-postgres"
    fi
}

case "${1:-}" in
    start) start "${2:-3}" ;;
    status) status ;;
    kill) kill -9 "$(cat "$dir/silo-$2.pid")" && rm -f "$dir/silo-$2.pid" ;;
    restart) postgres_env; start_one "$2"; wait_ready "$2" ;;
    ports) echo "$(gateway_port "$2") $(silo_port "$2") $(http_port "$2") $(resp_port "$2")" ;;
    stop) stop ;;
    *) echo "usage: $0 start [N]|status|kill I|restart I|ports I|stop" >&2; exit 2 ;;
esac
