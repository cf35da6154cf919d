#!/usr/bin/env bash
# KV over RESP against Redis (issue 17): redis-benchmark -t set,get at c=1, c=50 and c=50 -P 16, each on one key and
# on random keys (-r 100000), against
#   memory:  Flo (memory provider) vs Redis without persistence and Garnet; with KV_AB_REF="<git ref> ..." also a silo
#            built from each ref, flo@<ref> (the A/B of a change on the same machine, in the same alternating rounds);
#            with KV_VARIANTS="name=args|..." also a silo of the working tree per variant started with those extra
#            arguments (NAME=value ones set its environment), flo-<name> (the A/B of a setting);
#   durable: Flo on SQLite and on PostgreSQL vs Redis with appendonly yes + appendfsync always (with KV_AB_REF also a
#            SQLite and a PostgreSQL silo built from each ref, flo-sqlite@<ref> and flo-postgres@<ref>, each PostgreSQL silo
#            on a database of its own created empty for the run; with KV_VARIANTS a SQLite silo per variant, flo-sqlite-<name>).
# Every workload runs all targets in alternating order, KV_ROUNDS rounds (default 3), and prints each round and the
# median ratios. KV_REQUESTS (default 20000) requests per run in memory, KV_DURABLE_REQUESTS (default 5000) durable;
# KV_TARGETS to run a subset ("memory" or "durable"); KV_KEYS ("one key|-r 100000"), KV_MODES ("-c 1|-c 50|-c 50 -P 16")
# and KV_TESTS ("SET GET") pick workloads. Every Flo silo is warmed up first (JIT, tiered compilation). While one server
# is measured the others of its group are paused (SIGSTOP; KV_PAUSE_OTHERS=0 leaves them running, as before 2026-11-30).
# Usage: bench/kv-resp.sh   (from anywhere; PostgreSQL from scripts/postgres.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cleanup_cmds=()
cleanup() { for c in "${cleanup_cmds[@]}"; do eval "$c" || true; done; }
trap cleanup EXIT

n_memory="${KV_REQUESTS:-20000}"; n_durable="${KV_DURABLE_REQUESTS:-5000}"; rounds="${KV_ROUNDS:-3}"; targets="${KV_TARGETS:-memory durable}"
command -v redis-server >/dev/null || { sudo_if_needed apt-get update -qq && sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }
command -v redis-benchmark >/dev/null || sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools

# name → port, name → pid
declare -A port=() pid=()
start_redis() { # name, extra args...
  local name=$1; shift
  local dir; dir=$(mktemp -d); port[$name]=$(free_port)
  redis-server --port "${port[$name]}" --bind 127.0.0.1 --save "" --daemonize yes --dir "$dir" --pidfile "$dir/redis.pid" "$@" >/dev/null
  for _ in $(seq 1 50); do [ -s "$dir/redis.pid" ] && break; sleep 0.1; done
  pid[$name]=$(cat "$dir/redis.pid")
  cleanup_cmds+=("kill ${pid[$name]} 2>/dev/null; sleep 0.3; rm -rf $dir")
}
start_silo() { # name, silo dll, extra args (NAME=value ones go to the silo's environment)...
  local name=$1 dll=$2; shift 2
  local dir; dir=$(mktemp -d); port[$name]=$(free_port)
  local environment=() args=()
  for arg in "$@"; do if [[ "$arg" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then environment+=("$arg"); else args+=("$arg"); fi; done
  set -- "${args[@]}"
  env "${environment[@]}" dotnet "$dll" --Cluster:Endpoints:ListenAddress=127.0.0.1 --Cluster:Endpoints:RespPort="${port[$name]}" \
    --Cluster:Endpoints:GatewayPort="$(free_port)" --Cluster:Endpoints:SiloPort="$(free_port)" --Cluster:Endpoints:HttpPort="$(free_port)" \
    --Cluster:Storage:DataDirectory="$dir" --Cluster:ServiceId="kvbench-$name-$$" "$@" >"$dir/silo.log" 2>&1 &
  pid[$name]=$!
  cleanup_cmds+=("kill ${pid[$name]} 2>/dev/null; sleep 1; rm -rf $dir")
}

dotnet build silo -c Release -v quiet -nologo >/dev/null
silo=silo/bin/Release/net10.0/Flo.Silo.dll
memory=(); durable=()
if [[ "$targets" == *memory* ]]; then
  start_redis redis --appendonly no
  garnet="$HOME/.flo-bench/garnet/garnet-server"
  [ -x "$garnet" ] || dotnet tool install --tool-path "$HOME/.flo-bench/garnet" garnet-server >/dev/null
  port[garnet]=$(free_port)
  "$garnet" --port "${port[garnet]}" --bind 127.0.0.1 >/tmp/flo-bench-garnet.log 2>&1 &
  pid[garnet]=$!; cleanup_cmds+=("kill ${pid[garnet]} 2>/dev/null")
  start_silo flo "$silo" --Cluster:Storage:Provider=Memory
  memory=(redis garnet flo)
fi
# KV_AB_REF: one or more git refs (space-separated), each built and run beside the working tree's silo as flo@<ref>.
ab_silos=()
for ref in ${KV_AB_REF:-}; do
  ab_dir=$(mktemp -d)
  git worktree add -q --detach "$ab_dir" "$ref"
  cleanup_cmds+=("git worktree remove --force $ab_dir")
  dotnet build "$ab_dir/silo" -c Release -v quiet -nologo >/dev/null
  ab_silos+=("$ref=$ab_dir/silo/bin/Release/net10.0/Flo.Silo.dll")
  if [[ "$targets" == *memory* ]]; then
    start_silo "flo@$ref" "$ab_dir/silo/bin/Release/net10.0/Flo.Silo.dll" --Cluster:Storage:Provider=Memory
    memory+=("flo@$ref")
  fi
done
# KV_VARIANTS: "name=args|name=args", each a memory silo of the working tree started with those extra arguments, as
# flo-<name> (the A/B of a setting, e.g. "nodash=--Cluster:Telemetry:OrleansDashboard=false"; NAME=value arguments go to
# its environment, e.g. "inline=DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1"); durable runs get a SQLite silo per
# variant as well (below).
if [[ "$targets" == *memory* && -n "${KV_VARIANTS:-}" ]]; then
  IFS='|' read -r -a variants <<<"$KV_VARIANTS"
  for variant in "${variants[@]}"; do
    # shellcheck disable=SC2086
    start_silo "flo-${variant%%=*}" "$silo" --Cluster:Storage:Provider=Memory ${variant#*=}
    memory+=("flo-${variant%%=*}")
  done
fi
if [[ "$targets" == *durable* ]]; then
  ./scripts/postgres.sh start >/dev/null; eval "$(./scripts/postgres.sh env)"
  start_redis redis-always --appendonly yes --appendfsync always
  # Each PostgreSQL silo gets a database of its own, created empty for this run, so that an A/B compares like with
  # like (two silos on one database would share its grain states).
  pg_port=$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$FLO_TEST_POSTGRES")
  fresh_database() { # name -> connection string
    PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
    sed "s/Database=[^;]*/Database=$1/" <<<"$FLO_TEST_POSTGRES"
  }
  start_silo flo-sqlite "$silo" --Cluster:Storage:Provider=Sqlite
  start_silo flo-postgres "$silo" --Cluster:Storage:Provider=Postgres --Cluster:Storage:ConnectionString="$(fresh_database flo_kvbench)"
  durable=(redis-always flo-sqlite flo-postgres)
  ab_index=0
  for ab in "${ab_silos[@]}"; do
    start_silo "flo-sqlite@${ab%%=*}" "${ab#*=}" --Cluster:Storage:Provider=Sqlite
    ab_index=$((ab_index + 1))
    start_silo "flo-postgres@${ab%%=*}" "${ab#*=}" --Cluster:Storage:Provider=Postgres --Cluster:Storage:ConnectionString="$(fresh_database "flo_kvbench_ab$ab_index")"
    durable+=("flo-sqlite@${ab%%=*}" "flo-postgres@${ab%%=*}")
  done
  if [ -n "${KV_VARIANTS:-}" ]; then
    IFS='|' read -r -a variants <<<"$KV_VARIANTS"
    for variant in "${variants[@]}"; do
      # shellcheck disable=SC2086
      start_silo "flo-sqlite-${variant%%=*}" "$silo" --Cluster:Storage:Provider=Sqlite ${variant#*=}
      durable+=("flo-sqlite-${variant%%=*}")
    done
  fi
fi
for name in "${!port[@]}"; do
  for _ in $(seq 1 300); do redis-cli -p "${port[$name]}" PING >/dev/null 2>&1 && break; sleep 0.2; done
  redis-cli -p "${port[$name]}" PING >/dev/null || { echo "kv-resp: $name did not answer PING" >&2; exit 1; }
  # Warm-up (JIT, tiered compilation, connection pools), not measured.
  [[ "$name" == flo* ]] && redis-benchmark -p "${port[$name]}" -t set,get -n 10000 -c 50 -r 100000 -q >/dev/null 2>&1
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# One group of targets over every workload: rounds alternate the targets' order; ratios are target / first target.
run_group() { # label, targets...
  local label=$1 n=$2; shift 2
  local group=("$@") peer=$1
  echo "== kv-resp $label: redis-benchmark -n $n, $rounds rounds; req/s (server CPU µs per request); ratio = target / $peer"
  local keys_list mode_list
  IFS='|' read -r -a keys_list <<<"${KV_KEYS:-one key|-r 100000}"
  IFS='|' read -r -a mode_list <<<"${KV_MODES:--c 1|-c 50|-c 50 -P 16}"
  for keys in "${keys_list[@]}"; do
    for mode in "${mode_list[@]}"; do
      for test in ${KV_TESTS:-SET GET}; do
        declare -A ratios=()
        for round in $(seq 1 "$rounds"); do
          local order=("${group[@]}") line="" r_peer=""
          ((round % 2 == 0)) && order=($(printf '%s\n' "${group[@]}" | tac))
          declare -A rps=() cpu=()
          for name in "${order[@]}"; do
            if [ "$pause_others" = 1 ]; then
              # Only the measured server runs: an idle silo still collects garbage and reads its metrics every second
              # (more so with the activations earlier workloads left), which took CPU from the measured one.
              for other in "${group[@]}"; do [ "$other" != "$name" ] && kill -STOP "${pid[$other]}"; done
              kill -CONT "${pid[$name]}"; sleep 0.5
            fi
            local before; before=$(ticks "${pid[$name]}")
            local extra=""; [ "$keys" != "one key" ] && extra="$keys"
            # shellcheck disable=SC2086
            rps[$name]=$(redis-benchmark -p "${port[$name]}" -t "${test,,}" -n "$n" $mode $extra --csv 2>/dev/null | tail -n +2 | tr -d '"' | awk -F, 'NR==1{printf "%d", $2}')
            cpu[$name]=$(python3 -c "print(f'{($(ticks "${pid[$name]}") - $before) * 1e6 / $hz / $n:.0f}')")
          done
          for name in "${group[@]}"; do
            line+=$(printf ' %s=%s(%s)' "$name" "${rps[$name]:-0}" "${cpu[$name]}")
            if [ "$name" != "$peer" ]; then
              ratios[$name]+="$(python3 -c "print(f'{${rps[$name]:-0}/${rps[$peer]}:.3f}' if ${rps[$peer]:-0} else 'nan')") "
            fi
          done
          printf '  %-10s %-12s %-4s round %s:%s\n' "$keys" "$mode" "$test" "$round" "$line"
        done
        local summary=""
        for name in "${group[@]}"; do
          [ "$name" = "$peer" ] && continue
          summary+=" $name/$peer $(printf '%s\n' ${ratios[$name]} | median)x"
        done
        printf '  => %-10s %-12s %-4s median:%s\n' "$keys" "$mode" "$test" "$summary"
        unset ratios
      done
    done
  done
}
pause_others="${KV_PAUSE_OTHERS:-1}"
# Servers paused by a round must not stay paused (a failed run, the cleanup's kill).
cleanup_cmds=("for p in ${pid[*]}; do kill -CONT \$p 2>/dev/null; done" "${cleanup_cmds[@]}")
[ ${#memory[@]} -gt 0 ] && run_group memory "$n_memory" "${memory[@]}"
[ ${#durable[@]} -gt 0 ] && run_group durable "$n_durable" "${durable[@]}"
exit 0
