#!/usr/bin/env bash
# A new key against an existing key that is not in memory (issue 17, deliverable 2): on the default SQLite silo, SET of
# keys never written (new:<random>, one in 10^8) against SET of keys that exist in storage but whose grains are not
# active (old:<random> among KV_COLD_KEYS keys written before the silo was restarted), redis-benchmark -n KV_REQUESTS
# (default 20000) at each mode of KV_MODES (default "-c 1|-c 50|-c 50 -P 16"), KV_ROUNDS rounds (default 3)
# alternating which goes first; prints each round and the median ratio new / cold. A round touches KV_REQUESTS of the
# KV_COLD_KEYS (default 500000) existing keys at random, so a few of a later round's keys are already active (at most
# rounds x requests / keys of them): that favours the existing keys, not the new ones.
# Usage: bench/kv-cold.sh
set -euo pipefail
cd "$(dirname "$0")/.."
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
n="${KV_REQUESTS:-20000}"; rounds="${KV_ROUNDS:-3}"; keys="${KV_COLD_KEYS:-500000}"
command -v redis-benchmark >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools; }

dotnet build silo -c Release -v quiet -nologo >/dev/null
dir=$(mktemp -d); resp=$(free_port); ports=("$(free_port)" "$(free_port)" "$(free_port)")
silo_pid=""
start_silo() {
  dotnet silo/bin/Release/net10.0/Flo.Silo.dll --Cluster:Endpoints:ListenAddress=127.0.0.1 --Cluster:Endpoints:RespPort="$resp" \
    --Cluster:Endpoints:GatewayPort="${ports[0]}" --Cluster:Endpoints:SiloPort="${ports[1]}" --Cluster:Endpoints:HttpPort="${ports[2]}" \
    --Cluster:Storage:Provider=Sqlite --Cluster:Storage:DataDirectory="$dir" --Cluster:ServiceId="kvcold-$$" >>"$dir/silo.log" 2>&1 &
  silo_pid=$!
  for _ in $(seq 1 300); do redis-cli -p "$resp" PING >/dev/null 2>&1 && return; sleep 0.2; done
  echo "kv-cold: the silo did not answer PING" >&2; exit 1
}
trap 'kill $silo_pid 2>/dev/null; sleep 1; rm -rf "$dir"' EXIT

start_silo
# The existing keys, named as redis-benchmark's __rand_int__ names them (12 digits), all of them written once.
started=$(date +%s)
python3 -c "
import sys
w = sys.stdout.buffer
for i in range($keys):
    k = b'old:%012d' % i
    w.write(b'*3\r\n\$3\r\nSET\r\n\$%d\r\n%s\r\n\$1\r\nv\r\n' % (len(k), k))
" | redis-cli -p "$resp" --pipe >/dev/null
echo "kv-cold: wrote $keys keys in $(( $(date +%s) - started )) s; restarting the silo so that none is active"
kill "$silo_pid"; wait "$silo_pid" 2>/dev/null || true
start_silo
# Warm-up (JIT, tiered compilation, connection pools) on keys of neither kind.
redis-benchmark -p "$resp" -n 10000 -c 50 -r 100000 -q SET warm:__rand_int__ v >/dev/null 2>&1
redis-cli -p "$resp" GET old:000000000007 | grep -qx v || { echo "kv-cold: an existing key was not read back after the restart" >&2; exit 1; }

median() { sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rps() { # mode, key prefix, keyspace
  # shellcheck disable=SC2086
  redis-benchmark -p "$resp" -n "$n" $1 -r "$3" --csv SET "$2:__rand_int__" v 2>/dev/null | tail -n +2 | tr -d '"' | awk -F, 'NR==1{printf "%d", $2}'
}
echo "== kv-cold: SQLite silo, SET, redis-benchmark -n $n, $rounds rounds; req/s; ratio = new / cold existing"
IFS='|' read -r -a modes <<<"${KV_MODES:--c 1|-c 50|-c 50 -P 16}"
for mode in "${modes[@]}"; do
  ratios=()
  for round in $(seq 1 "$rounds"); do
    if ((round % 2)); then cold=$(rps "$mode" old "$keys"); new=$(rps "$mode" new 100000000)
    else new=$(rps "$mode" new 100000000); cold=$(rps "$mode" old "$keys"); fi
    ratio=$(python3 -c "print(f'{$new/$cold:.3f}')")
    ratios+=("$ratio")
    printf '  %-12s round %s: new=%s cold=%s new/cold=%s\n' "$mode" "$round" "$new" "$cold" "$ratio"
  done
  printf '  => %-12s median new/cold %sx\n' "$mode" "$(printf '%s\n' "${ratios[@]}" | median)"
done
