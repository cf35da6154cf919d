#!/usr/bin/env bash
# Runs the platform's benchmarks (on Orleans) side by side with their peers on this machine:
#   calls    - grain calls (in-silo, client->silo) vs Redis PING round trips (Debian redis-server on a free port)
#   memory   - bytes per idle activation with 100k activations
#   storage  - grain state writes through the platform's IGrainStorage per provider vs direct one-commit-per-write
#              upserts (SQLite, PostgreSQL); then "adonet": [PersistentState] writes, the platform's provider vs
#              Microsoft.Orleans.Persistence.AdoNet on the same PostgreSQL
#   cluster  - silo->silo calls and client->3-silo calls vs Redis PING; failover and convergence times (in-process
#              silos over PostgreSQL)
#   failover - kill -9 of a silo process of a 3-process local cluster (scripts/local-cluster.sh, port offset 10000):
#              time until a moved KV key answers and until a client's call loop carries on
#   kv       - KV puts/gets via FloClient: memory vs Redis SET/GET (one connection per caller, and StackExchange.Redis
#              over one multiplexed connection), durable (SQLite, PostgreSQL) vs etcd puts and
#              Redis SET with appendfsync always
#   queue    - queue enqueue->dequeue->ack round trips via FloClient (memory, SQLite, PostgreSQL) vs a PostgreSQL
#              FOR UPDATE SKIP LOCKED queue doing the same cycle
#   stream   - stream appends and append->group read->ack round trips via FloClient (memory, SQLite) vs Redis streams
#              (XADD, XREADGROUP, XACK) through StackExchange.Redis
#   jobs     - jobs invoke->handler->result with a no-op handler, closed loop (submit->start and submit->result
#              latency, jobs/s) vs Hangfire (Hangfire.PostgreSql, server in the bench process) and Celery (Debian's
#              python3-celery, worker started by bench/celery/celery_bench.py) with Redis as broker and result backend
#   schedules - N interval schedules of a no-op (--schedules N ..., default 10000; --interval-ms, default 1000) on one
#              silo with PostgreSQL vs Quartz.NET 4.7 (ADO.NET job store on the same PostgreSQL, clustered): runs/s,
#              lateness p50/p99 of handler start vs due time, missed/duplicated due times, CPU per schedule
#   dataflow - flows: a 10-node pipeline and a 2-node cycle (--generations N, default 10000; --durable-generations N
#              for PostgreSQL), node runs/s and per-generation latency p50/p99, Flo (one silo in-process, memory and
#              PostgreSQL; node code on a worker of the bench process) vs the same graphs in System.Threading.Tasks.Dataflow
#              in one process (not durable)
#   resp     - redis-benchmark -t set,get (c1, c50, c50 -P16) against a silo's RESP port (memory provider), Redis and
#              Garnet (dotnet tool garnet-server)
#   kv-resp  - the KV over RESP against Redis (issue 17): bench/kv-resp.sh (redis-benchmark set/get at c=1, c=50,
#              c=50 -P 16, one key and -r 100000; memory vs Redis and Garnet, SQLite/PostgreSQL vs Redis appendfsync always;
#              KV_AB_REF=<ref> adds a silo built from that ref; KV_REQUESTS, KV_ROUNDS, KV_TARGETS)
#   kv-cold  - a new key against an existing key whose grain is not active (issue 17): bench/kv-cold.sh (SQLite silo,
#              SET, c=1, c=50, c=50 -P 16; KV_REQUESTS, KV_ROUNDS, KV_MODES, KV_COLD_KEYS)
#   security - the cost of security, each against the same work with it off (in-process silos, memory provider):
#              FloClient KV put/get with tokens, TLS, both; RESP SET/GET by redis-benchmark (Debian's, with -a and
#              --tls); silo->silo grain calls with TLS
# Every comparison alternates peer and Flo runs over --rounds N (default 3) and prints the median ratio.
# Usage: bench/run.sh [calls|memory|storage|cluster|failover|kv|queue|stream|jobs|schedules|dataflow|resp|kv-resp|kv-cold|security|all] [--seconds N] [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"; shift || true
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Cleanup of everything this script started (peers, silos, temporary directories), run on exit.
cleanup_cmds=()
cleanup() { for c in "${cleanup_cmds[@]}"; do eval "$c" || true; done; }
trap cleanup EXIT

dotnet build bench/Flo.Bench -c Release -v quiet -nologo >/dev/null
bench() { dotnet bench/Flo.Bench/bin/Release/net10.0/Flo.Bench.dll "$@"; }
pg() { ./scripts/postgres.sh start >/dev/null; eval "$(./scripts/postgres.sh env)"; }

if [[ "$what" == calls || "$what" == cluster || "$what" == kv || "$what" == stream || "$what" == jobs || "$what" == resp || "$what" == all ]]; then
  if ! command -v redis-server >/dev/null; then
    sudo_if_needed apt-get update -qq && sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
  fi
  redis_port=$(free_port)
  redis_dir=$(mktemp -d)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --dir "$redis_dir" --pidfile "$redis_dir/redis.pid" >/dev/null
  cleanup_cmds+=('kill $(cat "$redis_dir/redis.pid") 2>/dev/null; rm -rf "$redis_dir"')
  redis_version=$(redis-server --version | awk '{print $3}' | sed 's/^v=//')
fi
if [[ "$what" == calls || "$what" == all ]]; then
  echo "== grain calls (peer: redis $redis_version on port $redis_port)"
  bench calls --redis-port "$redis_port" "$@"
fi
if [[ "$what" == memory || "$what" == all ]]; then
  echo "== memory per idle activation"
  bench memory
fi
if [[ "$what" == storage || "$what" == all ]]; then
  pg
  echo "== grain state writes (peers: direct upserts)"
  bench storage --postgres "$FLO_TEST_POSTGRES" "$@"
  echo "== [PersistentState] writes: the platform's provider vs Microsoft.Orleans.Persistence.AdoNet (PostgreSQL)"
  bench adonet --postgres "$FLO_TEST_POSTGRES" "$@"
fi
if [[ "$what" == cluster || "$what" == all ]]; then
  pg
  echo "== cluster: silo->silo calls, client->3 silos, failover, convergence (peer: redis PING on port $redis_port)"
  bench cluster --redis-port "$redis_port" --postgres "$FLO_TEST_POSTGRES" "$@"
fi
if [[ "$what" == failover || "$what" == all ]]; then
  pg
  dotnet build silo -c Release -v quiet -nologo >/dev/null
  echo "== failover: kill -9 of a silo process (3 processes, scripts/local-cluster.sh, PostgreSQL membership)"
  # --seconds/--rounds do not apply here; pass --runs N, --window S, --variants ..., --port-offset N.
  args=(); skip=0
  for a in "$@"; do
    if [ $skip = 1 ]; then skip=0; continue; fi
    case "$a" in --seconds|--rounds) skip=1 ;; *) args+=("$a") ;; esac
  done
  bench failover --postgres "$FLO_TEST_POSTGRES" "${args[@]}"
fi
if [[ "$what" == kv || "$what" == all ]]; then
  if ! command -v etcd >/dev/null; then
    sudo_if_needed apt-get update -qq && sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server
  fi
  pg
  etcd_port=$(free_port); etcd_peer=$(free_port); etcd_dir=$(mktemp -d)
  etcd --data-dir "$etcd_dir" --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
       --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
       --initial-cluster "default=http://127.0.0.1:$etcd_peer" >"$etcd_dir/etcd.log" 2>&1 &
  etcd_pid=$!
  cleanup_cmds+=('kill $etcd_pid 2>/dev/null; sleep 0.5; rm -rf "$etcd_dir"')
  # Redis as a durable store: every write appended and fsynced before the reply.
  redis_fsync_port=$(free_port); redis_fsync_dir=$(mktemp -d)
  redis-server --port "$redis_fsync_port" --bind 127.0.0.1 --save "" --appendonly yes --appendfsync always --daemonize yes \
    --dir "$redis_fsync_dir" --pidfile "$redis_fsync_dir/redis.pid" >/dev/null
  cleanup_cmds+=('kill $(cat "$redis_fsync_dir/redis.pid") 2>/dev/null; sleep 0.5; rm -rf "$redis_fsync_dir"')
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$etcd_port/health" >/dev/null 2>&1 && break; sleep 0.2; done
  echo "== kv (peers: redis $redis_version, etcd $(etcd --version | awk 'NR==1{print $3}') with fsync, redis appendfsync always)"
  bench kv --redis-port "$redis_port" --redis-fsync-port "$redis_fsync_port" --etcd "http://127.0.0.1:$etcd_port" --postgres "$FLO_TEST_POSTGRES" "$@"
fi
if [[ "$what" == queue || "$what" == all ]]; then
  pg
  echo "== queue: enqueue->dequeue->ack (peer: a PostgreSQL FOR UPDATE SKIP LOCKED queue on the same server)"
  bench queue --postgres "$FLO_TEST_POSTGRES" "$@"
fi
if [[ "$what" == stream || "$what" == all ]]; then
  echo "== stream: appends and append->group read->ack (peer: redis $redis_version streams)"
  bench stream --redis-port "$redis_port" "$@"
fi
if [[ "$what" == jobs || "$what" == all ]]; then
  # Celery for Debian's interpreter, which the bench runs (CeleryPeer): a python3 earlier on PATH (pyenv) lacks it.
  if ! /usr/bin/python3 -c 'import celery, redis' 2>/dev/null; then
    sudo_if_needed apt-get update -qq && sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-celery python3-redis
  fi
  pg
  echo "== jobs: invoke->handler->result, no-op handler (peers: hangfire on postgres, celery $(/usr/bin/python3 -c 'import celery; print(celery.__version__)') on redis $redis_version, port $redis_port)"
  bench jobs --postgres "$FLO_TEST_POSTGRES" --redis-port "$redis_port" "$@"
fi
if [[ "$what" == schedules || "$what" == all ]]; then
  pg
  echo "== schedules: interval schedules every second, handler start vs due time (peer: Quartz.NET, ADO.NET job store on the same PostgreSQL, clustered)"
  bench schedules --postgres "$FLO_TEST_POSTGRES" "$@"
fi
if [[ "$what" == dataflow || "$what" == all ]]; then
  pg
  echo "== dataflow: 10-node pipeline and 2-node cycle (floor: System.Threading.Tasks.Dataflow in one process)"
  # Runs are sized in generations, not seconds: --seconds does not apply.
  args=(); skip=0
  for a in "$@"; do
    if [ $skip = 1 ]; then skip=0; continue; fi
    case "$a" in --seconds) skip=1 ;; *) args+=("$a") ;; esac
  done
  bench dataflow --postgres "$FLO_TEST_POSTGRES" "${args[@]}"
fi
if [[ "$what" == resp || "$what" == all ]]; then
  command -v redis-benchmark >/dev/null || sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools
  garnet="$HOME/.flo-bench/garnet/garnet-server"
  [ -x "$garnet" ] || dotnet tool install --tool-path "$HOME/.flo-bench/garnet" garnet-server >/dev/null
  garnet_port=$(free_port)
  "$garnet" --port "$garnet_port" --bind 127.0.0.1 >/tmp/flo-bench-garnet.log 2>&1 &
  garnet_pid=$!
  cleanup_cmds+=('kill $garnet_pid 2>/dev/null')
  dotnet build silo -c Release -v quiet -nologo >/dev/null
  flo_port=$(free_port); flo_dir=$(mktemp -d)
  # The silo's RESP endpoint has its own port (Cluster:Endpoints:RespPort), not the Orleans gateway's.
  dotnet silo/bin/Release/net10.0/Flo.Silo.dll --Cluster:Storage:Provider=Memory --Cluster:Endpoints:ListenAddress=127.0.0.1 \
    --Cluster:Endpoints:RespPort="$flo_port" --Cluster:Endpoints:GatewayPort="$(free_port)" --Cluster:Endpoints:SiloPort="$(free_port)" \
    --Cluster:Endpoints:HttpPort="$(free_port)" --Cluster:Storage:DataDirectory="$flo_dir" >"$flo_dir/silo.log" 2>&1 &
  flo_pid=$!
  cleanup_cmds+=('kill $flo_pid 2>/dev/null; sleep 1; rm -rf "$flo_dir"')
  for _ in $(seq 1 300); do redis-cli -p "$flo_port" PING >/dev/null 2>&1 && redis-cli -p "$garnet_port" PING >/dev/null 2>&1 && break; sleep 0.2; done
  n="${RESP_REQUESTS:-100000}"; resp_rounds="${RESP_ROUNDS:-3}"
  redis_pid=$(cat "$redis_dir/redis.pid")
  # CPU time (user+system, clock ticks) of a server process: CPU per request = its growth over one redis-benchmark run.
  ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
  hz=$(getconf CLK_TCK)
  echo "== resp: redis-benchmark -t set|get -n $n, $resp_rounds alternating rounds (flo: memory provider; peers: redis $redis_version, garnet)"
  echo "   (cpu = the server process's CPU per request, us)"
  printf '%-14s %-5s %-6s %12s %12s %12s %9s %9s %9s %10s %10s\n' mode test round flo redis garnet flo-cpu redis-cpu garnet-cpu flo/redis flo/garnet
  for mode in "-c 1" "-c 50" "-c 50 -P 16"; do
    for test in SET GET; do
      ratios_r=(); ratios_g=()
      for round in $(seq 1 "$resp_rounds"); do
        declare -A rps=() cpu=()
        for target in redis:$redis_port:$redis_pid garnet:$garnet_port:$garnet_pid flo:$flo_port:$flo_pid; do
          IFS=: read -r name port pid <<<"$target"
          before=$(ticks "$pid")
          # shellcheck disable=SC2086
          rps[$name]=$(redis-benchmark -p "$port" -t "${test,,}" -n "$n" $mode --csv 2>/dev/null | tail -n +2 | tr -d '"' | awk -F, 'NR==1{print $2}')
          cpu[$name]=$(python3 -c "print(f'{($(ticks "$pid") - $before) * 1e6 / $hz / $n:.1f}')")
        done
        f=${rps[flo]:-0}; r=${rps[redis]:-0}; g=${rps[garnet]:-0}
        rr=$(python3 -c "print(f'{$f/$r:.2f}' if $r else 'nan')"); rg=$(python3 -c "print(f'{$f/$g:.2f}' if $g else 'nan')")
        ratios_r+=("$rr"); ratios_g+=("$rg")
        printf '%-14s %-5s %-6s %12s %12s %12s %9s %9s %9s %10s %10s\n' "$mode" "$test" "$round" "$f" "$r" "$g" "${cpu[flo]}" "${cpu[redis]}" "${cpu[garnet]}" "${rr}x" "${rg}x"
      done
      echo "  => $mode $test: median flo/redis $(printf '%s\n' "${ratios_r[@]}" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')x, flo/garnet $(printf '%s\n' "${ratios_g[@]}" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')x"
    done
  done
fi
if [[ "$what" == kv-resp || "$what" == all ]]; then
  bench/kv-resp.sh
fi
if [[ "$what" == kv-cold || "$what" == all ]]; then
  bench/kv-cold.sh
fi
if [[ "$what" == security || "$what" == all ]]; then
  command -v redis-benchmark >/dev/null || { sudo_if_needed apt-get update -qq && sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools; }
  echo "== security: tokens and TLS off vs on (FloClient KV, RESP via redis-benchmark $(redis-benchmark --version | awk '{print $2}'), silo->silo calls)"
  bench security "$@"
fi
