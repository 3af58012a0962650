#!/usr/bin/env bash
# ops/bench relay: the steady-state cost of Understudy's relay against HAProxy in TCP mode, the relay a user would
# pick instead, side by side in one lab run.
#   ops/bench relay [--runs N] [--requests N] [--clients N]
#     --runs N       rounds; each round measures both, in turn (default 3)
#     --requests N   redis-benchmark INCR requests per measurement (default 100000)
#     --clients N    redis-benchmark connections (default 20)
# The lab (prefix ${UNDERSTUDY_LAB:-usr}) runs redis-server as the app on both servers and the Understudy pair (hot
# mode, async read log). HAProxy 'mode tcp' runs on the primary too, on 198.18.0.2:6400, in front of the same redis.
# From the client host, redis-benchmark -t incr runs through the VIP (Understudy) and through HAProxy, one after
# the other. For each: requests/s, p50 and p99 latency, and the CPU per request of the process that relays (the
# primary's node JVM: relay, read log shipping, heartbeats; or HAProxy), from utime+stime in /proc/PID/stat before
# and after. The backup's CPU per request (its tap, replica and logger, on the same two cores here, on its own host
# in a real pair) is printed beside. Medians follow, with the ratios, then the CPU per request of the primary node's
# busiest threads, summed over the Understudy measurements (threads named by role: relay, shipper, heartbeat...).
# Settings of the lab's nodes come from the environment, e.g. UNDERSTUDY_LOG_LINGER_US=0 (see ops/config/lab-node.yml).
# Needs root and haproxy; takes the lab down at the end, also on failure.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
runs=3 requests=100000 clients=20
usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
fail_usage() { echo "ops/bench relay: $1" >&2; usage >&2; exit 2; }
number() { [[ $2 =~ ^[1-9][0-9]*$ ]] || fail_usage "$1 needs a positive whole number, got '$2'"; }
while (($#)); do
  case "$1" in
    --runs) number "$1" "${2:-}"; runs=$2; shift ;;
    --requests) number "$1" "${2:-}"; requests=$2; shift ;;
    --clients) number "$1" "${2:-}"; clients=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail_usage "unknown option '$1'" ;;
  esac
  shift
done
[[ $(id -u) -eq 0 ]] || { echo "ops/bench relay: needs root (it builds a lab of network namespaces)" >&2; exit 1; }
for tool in haproxy redis-server redis-benchmark; do
  command -v "$tool" >/dev/null ||
    { echo "ops/bench relay: needs $tool (as root: ops/install-packages bench)" >&2; exit 1; }
done

export UNDERSTUDY_LAB=${UNDERSTUDY_LAB:-usr}
ops_jar=ops/target/understudy-ops.jar node_jar=admin-api/target/understudy-node.jar
if [[ ! -f $ops_jar || ! -f $node_jar ]]; then
  echo "ops/bench relay: building (mvn -B -q -DskipTests package)"
  mvn -B -q -DskipTests package
fi
work=$(mktemp -d)
haproxy_pid=""
cleanup() {
  [[ -n $haproxy_pid ]] && kill "$haproxy_pid" 2>/dev/null
  ops/lab down >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

app_port=6390 service_port=6379 haproxy_address=198.18.0.2 haproxy_port=6400
ops/lab down >/dev/null 2>&1 || true
ops/lab up >/dev/null
ops/lab start --app "redis-server --port $app_port --bind 127.0.0.1 --save '' --appendonly no" \
  --app-port "$app_port" --service-port "$service_port" \
  --app-check-send 'PING\r\n' --app-check-expect '+PONG' >/dev/null
cat >"$work/haproxy.cfg" <<EOF
global
    maxconn 4096
    nbthread 1
defaults
    mode tcp
    timeout connect 5s
    timeout client 1h
    timeout server 1h
listen redis
    bind $haproxy_address:$haproxy_port
    server app 127.0.0.1:$app_port
EOF
# Through ops/lab exec: HAProxy takes the primary host's CPU share, as the node does (ops/lab.d/common.bash).
ops/lab exec primary haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
for _ in $(seq 1 50); do
  ip netns exec "$UNDERSTUDY_LAB-primary" ss -ltnH "sport = :$haproxy_port" | grep -q . && break
  sleep 0.1
done
ip netns exec "$UNDERSTUDY_LAB-primary" ss -ltnH "sport = :$haproxy_port" | grep -q . ||
  { echo "ops/bench relay: haproxy did not listen on $haproxy_address:$haproxy_port:" >&2; cat "$work/haproxy.log" >&2; exit 1; }

state_dir=$(ops/lab status --json | grep -o '"state_dir":"[^"]*"' | cut -d'"' -f4)
primary_node=$(cat "$state_dir/node-primary.pid" 2>/dev/null || true)
backup_node=$(cat "$state_dir/node-backup.pid" 2>/dev/null || true)
[[ $primary_node =~ ^[0-9]+$ && $backup_node =~ ^[0-9]+$ ]] ||
  { echo "ops/bench relay: cannot read the nodes' pids in $state_dir" >&2; exit 1; }
hz=$(getconf CLK_TCK)
# CPU ticks (utime + stime) of a process and its threads.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# "TID NAME TICKS" for each thread of a process (the name is the kernel's comm, 15 characters at most).
thread_ticks() {
  local task comm stat
  for task in /proc/"$1"/task/*; do
    comm=$({ tr -c '[:alnum:]_.:\n-' '_' <"$task/comm"; } 2>/dev/null) || continue   # a thread may end meanwhile
    stat=$(cat "$task/stat" 2>/dev/null) || continue
    stat=${stat##*) }   # past "pid (comm) ": field 3 (state) first, so utime is the 12th, stime the 13th
    awk -v t="${task##*/}" -v c="$comm" '{print t, c, $12 + $13}' <<<"$stat"
  done
}
declare -A thread_before thread_spent thread_name

bench() { # ADDRESS PORT -> "rps p50_ms p99_ms"
  ops/lab exec client redis-benchmark -h "$1" -p "$2" -c "$clients" -n "$requests" -t incr --csv |
    awk -F, 'NR == 2 {gsub(/"/, ""); print $2, $5, $7}'
}

# A warm-up of each, not counted: the JIT and HAProxy's first connections.
bench 198.18.0.100 "$service_port" >/dev/null
bench "$haproxy_address" "$haproxy_port" >/dev/null

rows=()
printf '%-4s %-11s %-10s %-8s %-8s %-19s %s\n' run relay rps p50_ms p99_ms cpu_us_per_request backup_cpu_us_per_request
for run in $(seq 1 "$runs"); do
  for relay in understudy haproxy; do
    if [[ $relay == understudy ]]; then
      address=198.18.0.100 port=$service_port relay_pid=$primary_node
    else
      address=$haproxy_address port=$haproxy_port relay_pid=$haproxy_pid
    fi
    before=$(ticks "$relay_pid") backup_before=$(ticks "$backup_node")
    if [[ $relay == understudy ]]; then
      while read -r tid name t; do thread_before[$tid]=$t thread_name[$tid]=$name; done < <(thread_ticks "$relay_pid")
    fi
    read -r rps p50 p99 < <(bench "$address" "$port")
    after=$(ticks "$relay_pid") backup_after=$(ticks "$backup_node")
    if [[ $relay == understudy ]]; then
      while read -r tid name t; do
        thread_spent[$tid]=$((${thread_spent[$tid]:-0} + t - ${thread_before[$tid]:-$t})) thread_name[$tid]=$name
      done < <(thread_ticks "$relay_pid")
    fi
    cpu=$(awk -v a="$before" -v b="$after" -v hz="$hz" -v n="$requests" 'BEGIN {printf "%.1f", (b - a) / hz * 1e6 / n}')
    backup_cpu=$(awk -v a="$backup_before" -v b="$backup_after" -v hz="$hz" -v n="$requests" \
      'BEGIN {printf "%.1f", (b - a) / hz * 1e6 / n}')
    row=$(printf '%-4s %-11s %-10s %-8s %-8s %-19s %s' "$run" "$relay" "$rps" "$p50" "$p99" "$cpu" "$backup_cpu")
    echo "$row"
    rows+=("$row")
  done
done
median() { sort -n | awk '{v[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR+1)/2];
  else printf "%.3f\n", (v[NR/2] + v[NR/2+1]) / 2}'; }
col() { printf '%s\n' "${rows[@]}" | awk -v r="$1" -v n="$2" '$2 == r {print $n}' | median; }
echo
echo "medians (redis INCR, $clients connections, $requests requests a measurement, $runs runs)"
for relay in understudy haproxy; do
  printf '  %-10s %s requests/s, p50 %s ms, p99 %s ms, relay CPU %s us a request\n' "$relay" "$(col "$relay" 3)" \
    "$(col "$relay" 4)" "$(col "$relay" 5)" "$(col "$relay" 6)"
done
awk -v ur="$(col understudy 3)" -v hr="$(col haproxy 3)" -v uc="$(col understudy 6)" -v hc="$(col haproxy 6)" \
  -v up="$(col understudy 4)" -v hp="$(col haproxy 4)" 'BEGIN {
  printf "  understudy / haproxy: throughput %.2f, CPU per request %.2f, p50 %+.3f ms\n", ur / hr, uc / hc, up - hp }'
echo "  (the backup's CPU per request while Understudy relays: $(col understudy 7) us; it runs on its own host in a real pair)"
echo "  the primary node's busiest threads, CPU per request over the $runs Understudy measurements:"
for tid in "${!thread_spent[@]}"; do
  echo "${thread_spent[$tid]} ${thread_name[$tid]}($tid)"
done | sort -rn | head -6 | awk -v hz="$hz" -v n="$((requests * runs))" '$1 > 0 {
  printf "    %-24s %6.1f us\n", $2, $1 / hz * 1e6 / n }'
