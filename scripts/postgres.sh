#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster for the tests.
#
#   scripts/postgres.sh start    start it (or reuse the running one); prints the connection string on stdout
#   scripts/postgres.sh env      prints: export FLO_TEST_POSTGRES='Host=127.0.0.1;Port=...;Username=postgres;Database=flo_test'
#   scripts/postgres.sh status   exit 0 when it is running
#   scripts/postgres.sh stop     stop it and delete its data
#
# Installs Debian's postgresql with apt-get when initdb/pg_ctl cannot be found. The server listens on 127.0.0.1 only,
# on a free port, with trust authentication (local tests only) and fsync on (the tests check durability).
#
# Where things live: the cluster (data, log, socket) is in /tmp/flo-pgtest-<hash of the repository path>, not in the
# repository, because PostgreSQL refuses to run as root, so as root it runs as the `postgres` user, which may not be
# able to traverse to the checkout (e.g. under /root or a 0700 home). The repository's .pgtest/ (gitignored) keeps the
# state files: the cluster directory, the connection string and a lock that serializes concurrent starts.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state_dir="$repo_root/.pgtest"
base_dir="${TMPDIR:-/tmp}/flo-pgtest-$(printf '%s' "$repo_root" | cksum | cut -d' ' -f1)"
data_dir="$base_dir/data"
log_file="$base_dir/postgres.log"
connection_file="$state_dir/connection"
database="flo_test"

log() { echo "postgres.sh: $*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Runs a PostgreSQL binary as the user that owns the cluster.
as_owner() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Runs a command that leaves the server running, with only stdin/stdout/stderr open: a server that inherits
# another descriptor (our lock, a CI runner's output pipe) keeps it open for its whole life, which blocks the next
# start on the lock or keeps the runner waiting for end of output.
detached() {
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd="${fd##*/}"
            if [ "$fd" -gt 2 ] 2>/dev/null; then
                eval "exec $fd>&-" 2>/dev/null || true
            fi
        done
        "$@"
    ) </dev/null
}

find_bin_dir() {
    local dir
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        # /usr/local/bin or /usr/bin may hold wrappers or links; resolve to the real directory so that psql,
        # createdb and pg_ctl all come from the same version.
        dir="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
        if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
            echo "$dir"
            return 0
        fi
    fi
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
        echo "$dir"
        return 0
    fi
    return 1
}

install_postgres() {
    local sudo=""
    if ! is_root; then
        command -v sudo >/dev/null 2>&1 || { log "PostgreSQL is not installed and sudo is not available; install the postgresql package"; exit 1; }
        sudo="sudo"
    fi
    log "installing PostgreSQL with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    # Without the default 'main' cluster: the tests run their own, and nothing should take port 5432 behind our back.
    $sudo apt-get install -y -qq --no-install-recommends postgresql-common >/dev/null
    if [ -f /etc/postgresql-common/createcluster.conf ]; then
        $sudo sed -i -E 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
    fi
    $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

bin_dir() {
    local dir
    if ! dir="$(find_bin_dir)"; then
        install_postgres
        dir="$(find_bin_dir)" || { log "PostgreSQL binaries not found after installing"; exit 1; }
    fi
    echo "$dir"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
    local port attempt
    for attempt in $(seq 1 100); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 30000))
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    log "no free port found"
    exit 1
}

connection_string() { echo "Host=127.0.0.1;Port=$1;Username=postgres;Database=$database"; }

running() {
    local bin="$1"
    [ -f "$data_dir/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1
}

# ALTER SYSTEM rewrites this file with its values quoted (port = '26782').
configured_port() { sed -n -E "s/^port = '?([0-9]+)'?.*/\1/p" "$data_dir/postgresql.auto.conf" 2>/dev/null | tail -n 1; }

init_cluster() {
    local bin="$1"
    rm -rf "$base_dir"
    mkdir -p "$base_dir"
    if is_root; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
        chown postgres: "$base_dir"
    fi
    chmod 0700 "$base_dir"
    as_owner "$bin/initdb" -D "$data_dir" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
}

start_server() {
    local bin="$1" port attempt
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        # Written to postgresql.auto.conf so a restart of the same cluster keeps them.
        as_owner tee -a "$data_dir/postgresql.auto.conf" >/dev/null <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$base_dir'
fsync = on
synchronous_commit = on
max_connections = 1000
CONF
        if detached as_owner "$bin/pg_ctl" -D "$data_dir" -l "$log_file" -w -t 60 start >/dev/null; then
            echo "$port"
            return 0
        fi
        # Most likely another process took the port between the check and the bind: try another one.
        log "start on port $port failed (attempt $attempt):"
        tail -n 5 "$log_file" >&2 || true
    done
    log "PostgreSQL did not start; see $log_file"
    exit 1
}

ensure_database() {
    local bin="$1" port="$2"
    local exists
    exists="$("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")"
    if [ "$exists" != "1" ]; then
        "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$database"
    fi
}

cmd_start() {
    mkdir -p "$state_dir"
    exec 9>"$state_dir/lock"
    flock -w 600 9 || { log "another postgres.sh holds $state_dir/lock"; exit 1; }
    local bin port
    bin="$(bin_dir)"
    if running "$bin"; then
        port="$(configured_port)"
        log "reusing the running PostgreSQL on port $port ($data_dir)"
    else
        if [ -f "$data_dir/PG_VERSION" ] && [ -n "$(configured_port)" ] && detached as_owner "$bin/pg_ctl" -D "$data_dir" -l "$log_file" -w -t 60 start >/dev/null 2>&1; then
            port="$(configured_port)"
            log "restarted the stopped PostgreSQL on port $port ($data_dir)"
        else
            init_cluster "$bin"
            port="$(start_server "$bin")"
            log "started PostgreSQL $("$bin/postgres" --version | awk "{print \$3}") on 127.0.0.1:$port ($data_dir)"
        fi
    fi
    ensure_database "$bin" "$port"
    connection_string "$port" >"$connection_file"
    cat "$connection_file"
}

cmd_stop() {
    mkdir -p "$state_dir"
    exec 9>"$state_dir/lock"
    flock -w 600 9 || { log "another postgres.sh holds $state_dir/lock"; exit 1; }
    local bin
    if [ -f "$data_dir/PG_VERSION" ] && bin="$(find_bin_dir)"; then
        as_owner "$bin/pg_ctl" -D "$data_dir" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$base_dir"
    rm -f "$connection_file"
    log "stopped PostgreSQL and removed $base_dir"
}

cmd_status() {
    local bin
    bin="$(find_bin_dir)" || return 1
    running "$bin"
}

cmd_env() {
    if ! cmd_status || [ ! -f "$connection_file" ]; then
        log "PostgreSQL is not running; run: scripts/postgres.sh start"
        exit 1
    fi
    echo "export FLO_TEST_POSTGRES='$(cat "$connection_file")'"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
