#!/usr/bin/env bash
# ops/bench failover: failover drills in the lab (a host crash by default), a table of where each one's time went.
#   ops/bench failover [--runs N] [--connections LIST] [--interval-ms MS] [--duration-s S] [--mode hot|replay]
#                       [--fail host-crash|process-kill|app-kill|app-hang] [--client-loss-ms MS] [--pictures DIR]
#                       [--app demo|redis] [--relay-runs N]
#     --runs N            drills per connection count (default 3)
#     --connections LIST  comma-separated connection counts, e.g. 20,200 (default 20)
#     --interval-ms MS    each client's pause between a reply and its next request (default 10: a load the lab's
#                         two cores keep up with at 20 connections; 5 saturates them)
#     --duration-s S      load per drill (default 12; the primary host crashes a third of the way in, or once the
#                         backup protects every connection, at most two thirds of the way in)
#     --mode M            takeover mode: hot (default) or replay
#     --fail F            what breaks: host-crash (default), process-kill (the primary's node), app-kill or app-hang
#                         (the primary's app: kill -9 or SIGSTOP; the node hands over)
#     --client-loss-ms MS for MS ms before the failure the client host drops every segment with data from the
#                         service (the primary's replies: the tap still sees them), until right after the failure;
#                         the primary's last output is then lost on its way, and only the backup's restored sockets
#                         can deliver it (default 0: no loss)
#     --pictures DIR      where each drill's picture and both nodes' logs go (default ops/target/bench-failover)
#     --app A             the protected app: demo (the demo service, default: a JVM with a thread per connection)
#                         or redis (redis-server, one event loop, RESP clients; lighter at thousands of connections)
#     --relay-runs N      then the steady state beside HAProxy, ops/bench relay --runs N (default 1; 0: skip it):
#                         the relay's CPU per request and latency against HAProxy in TCP mode, in a lab of its own
# Each drill: ops/lab up, start (the app and its check), loadgen from the client host, ops/lab fail F, and
# the backup's failover report. Columns: detection (last heartbeat heard -> decision; for an app failure, the app's
# death or hang found -> the handover asked), takeover (decision -> relaying), restore (the replicas' catch-up to
# every socket restored), repair per socket (the sockets' time in TCP_REPAIR, from the backup's log),
# crash->serving (ops/lab fail's timestamp -> the backup PRIMARY), the clients' stall p99 and max over the whole
# run, the same over the failover alone (fo_stall: each connection's longest wait for a reply that overlaps the
# time from the failure to the backup serving; a connection without one counts 0; at loads the lab cannot carry,
# the whole run's stalls come from before the failure), connections kept, connections the backup protected at
# the crash. Past 4,000 connections the nodes get room for them
# (node.maxConnections, 16 KiB relay buffers, -Xmx1g); the open-files limit must allow two per connection. Medians follow. Each drill also leaves a picture, DIR/failover-FAIL-CONNECTIONS-RUN.svg (understudy-ops
# drill-picture): every connection's stalls over time, with the crash, the decision and serving again marked; and
# both nodes' logs, DIR/failover-FAIL-CONNECTIONS-RUN.primary.log and .backup.log, to see where a slow drill's time went.
# UNDERSTUDY_LAB_HOST_CPU=1 gives each lab host one CPU weight (README, The lab); a drill whose crash came after the
# load ended (ops/lab fail is slower then) restores nothing, and its row shows it (fo_stall 0).
# Needs root; runs in lab prefix ${UNDERSTUDY_LAB:-usb} and takes it down at the end, also on failure.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
runs=3 connections=20 interval=10 duration=12 mode=hot fail=host-crash pictures=ops/target/bench-failover loss_ms=0 app=demo relay_runs=1
usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"; }
fail_usage() { echo "ops/bench failover: $1" >&2; usage >&2; exit 2; }
number() { [[ $2 =~ ^[1-9][0-9]*$ ]] || fail_usage "$1 needs a positive whole number, got '$2'"; }
while (($#)); do
  case "$1" in
    --runs) number "$1" "${2:-}"; runs=$2; shift ;;
    --connections) [[ ${2:-} =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] ||
        fail_usage "--connections needs counts like 20 or 20,200, got '${2:-}'"; connections=$2; shift ;;
    --interval-ms) [[ ${2:-} =~ ^[0-9]+$ ]] || fail_usage "--interval-ms needs a whole number, got '${2:-}'"
      interval=$2; shift ;;
    --duration-s) number "$1" "${2:-}"; duration=$2; shift ;;
    --mode) [[ ${2:-} == hot || ${2:-} == replay ]] || fail_usage "--mode takes hot or replay, got '${2:-}'"
      mode=$2; shift ;;
    --fail) [[ ${2:-} =~ ^(host-crash|process-kill|app-kill|app-hang)$ ]] ||
        fail_usage "--fail takes host-crash, process-kill, app-kill or app-hang, got '${2:-}'"; fail=$2; shift ;;
    --client-loss-ms) [[ ${2:-} =~ ^[0-9]+$ ]] || fail_usage "--client-loss-ms needs a whole number, got '${2:-}'"
      loss_ms=$2; shift ;;
    --pictures) [[ -n ${2:-} ]] || fail_usage "--pictures needs a directory"; pictures=$2; shift ;;
    --app) [[ ${2:-} == demo || ${2:-} == redis ]] || fail_usage "--app takes demo or redis, got '${2:-}'"
      app=$2; shift ;;
    --relay-runs) [[ ${2:-} =~ ^[0-9]+$ ]] || fail_usage "--relay-runs needs a whole number, got '${2:-}'"
      relay_runs=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail_usage "unknown option '$1'" ;;
  esac
  shift
done
((duration >= 6)) || fail_usage "--duration-s must be at least 6"
[[ $(id -u) -eq 0 ]] || { echo "ops/bench failover: needs root (it builds a lab of network namespaces)" >&2; exit 1; }

export UNDERSTUDY_LAB=${UNDERSTUDY_LAB:-usb}
ops_jar=ops/target/understudy-ops.jar node_jar=admin-api/target/understudy-node.jar
if [[ ! -f $ops_jar || ! -f $node_jar ]]; then
  echo "ops/bench failover: building (mvn -B -q -DskipTests package)"
  mvn -B -q -DskipTests package
fi
mkdir -p "$pictures" || { echo "ops/bench failover: cannot create $pictures" >&2; exit 1; }
pictures=$(cd "$pictures" && pwd)
out=$(mktemp) stalls=$(mktemp)
trap 'ops/lab down >/dev/null 2>&1; rm -f "$out" "$stalls"' EXIT

protected_now() {
  local n
  n=$(field protectedConnections "$(ops/lab exec backup curl -s --max-time 2 http://198.18.0.3:8080/status || true)")
  [[ $n =~ ^[0-9]+$ ]] && echo "$n" || echo 0
}
# The client host's loss of the service's data segments (--client-loss-ms): an nft table in its namespace, which
# ops/lab down removes with the namespace. Taken off with ip netns exec, not ops/lab exec: 7 ms instead of 60, well
# before the backup's restore.
client_loss() {
  if [[ $1 == on ]]; then
    ops/lab exec client nft -f - <<NFT
table inet understudy_bench_loss {
  chain in {
    type filter hook input priority 0;
    ip saddr 198.18.0.100 tcp sport $service_port ip length > 52 drop
  }
}
NFT
  else
    ip netns exec "$UNDERSTUDY_LAB-client" nft delete table inet understudy_bench_loss
  fi
}
field() { grep -o "\"$1\":[^,}]*" <<<"$2" | head -1 | cut -d: -f2- | tr -d '"'; }
# The time (s since the epoch, ms precision) of the backup's takeover (TAKING_OVER -> PRIMARY), from /status.
primary_at() {
  local at
  at=$(grep -o '"from":"TAKING_OVER","to":"PRIMARY","epoch":[0-9]*,"reason":"[^"]*","at":"[^"]*"' <<<"$1" | head -1 |
    sed 's/.*"at":"\([^"]*\)"/\1/')
  [[ -n $at ]] && date -u -d "$at" +%s.%3N
}
median() { sort -n | awk '{v[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR+1)/2];
  else printf "%.0f\n", (v[NR/2] + v[NR/2+1]) / 2}'; }

rows=()
# failover_stalls STALL_LOG CRASH SERVING CONNECTIONS: "p99 max" (ms) over the connections of each one's longest
# stall overlapping [CRASH, SERVING] (Unix seconds); a connection without one counts 0. "- -" when unknown.
failover_stalls() {
  local log=$1 crash=$2 serving=$3 count=$4
  if [[ ! -s $log || -z $crash || -z $serving ]]; then
    echo "- -"
    return
  fi
  awk -F, -v c="$crash" -v s="$serving" 'NR > 1 {
      from = $2 / 1000; to = from + $3 / 1000
      if (from <= s && to >= c && $3 > longest[$1]) longest[$1] = $3
    } END { for (i in longest) print longest[i] }' "$log" | sort -n |
    awk -v n="$count" '{ v[NR] = $1 } END {
      k = int(n * 0.99); if (k < n * 0.99) k++          # the p99 rank among n, ascending
      zeros = n - NR; p = k <= zeros ? 0 : v[k - zeros]
      printf "%.0f %.0f\n", p, NR ? v[NR] : 0 }'
}

printf '%-5s %-4s %-11s %-10s %-9s %-14s %-15s %-10s %-10s %-11s %-11s %-10s %s\n' connections run detection_ms \
  takeover_ms restore_ms repair_us/sock crash_to_serving stall_p99 stall_max fo_stall_p99 fo_stall_max kept protected
IFS=, read -r -a counts <<<"$connections"
for count in "${counts[@]}"; do
  if ((count > 4000)); then
    # Past the nodes' default of 4,096 relayed clients: room for every client, smaller relay buffers so that
    # 2 x buffers x clients fits in the nodes' 1 GiB of direct memory, and a larger heap.
    export UNDERSTUDY_MAX_CONNECTIONS=$((count + count / 4)) UNDERSTUDY_RELAY_BUFFER_BYTES=16384
    export UNDERSTUDY_JAVA_OPTS="-Xmx1g"
  fi
  # File descriptors: the primary holds two per client (the client's and the app's), the backup a replica socket
  # per client and, once it takes over, the restored one too. The lab's processes inherit this shell's limit.
  needed=$((count * 2 + 1024)) hard=$(ulimit -Hn)
  if [[ $hard != unlimited ]] && ((hard < needed)); then
    ulimit -Hn "$needed" 2>/dev/null || {
      echo "ops/bench failover: $count connections need $needed open files in one process, and the hard limit" \
        "here is $hard (raising it needs CAP_SYS_RESOURCE): at most $(((hard - 1024) / 2)) connections" >&2
      exit 1
    }
  fi
  ulimit -n "$(ulimit -Hn)"
  for run in $(seq 1 "$runs"); do
    ops/lab down >/dev/null 2>&1 || true
    ops/lab up >/dev/null
    if [[ $app == redis ]]; then
      ops/lab start --app "redis-server --port 6390 --bind 127.0.0.1 --save '' --appendonly no" \
        --app-port 6390 --service-port 6379 --mode "$mode" --app-check-send 'PING\r\n' --app-check-expect '+PONG' \
        >/dev/null
      service_port=6379 protocol=resp
    else
      ops/lab start --app "java -Xmx128m -jar $repo/$ops_jar demo-service --port 7000" --app-port 7000 \
        --service-port 7070 --mode "$mode" --app-check-send 'STATS\n' --app-check-expect '1 connections=' >/dev/null
      service_port=7070 protocol=line
    fi
    ops/lab exec client java -Xmx256m -jar "$repo/$ops_jar" loadgen --host 198.18.0.100 --port "$service_port" \
      --protocol "$protocol" --connections "$count" --duration-s "$duration" --interval-ms "$interval" \
      --stall-log "$stalls" --json-only >"$out" 2>/dev/null &
    load=$!
    # The crash comes a third of the way in, or once the backup protects every connection (many connections take
    # a while to connect on two cores), but no later than two thirds of the way in.
    sleep $((duration / 3))
    protected=$(protected_now) ready_by=$((SECONDS + duration / 3))
    while ((protected < count && SECONDS < ready_by)); do
      sleep 0.5
      protected=$(protected_now)
    done
    if ((loss_ms > 0)); then
      client_loss on
      sleep "$(awk -v ms="$loss_ms" 'BEGIN {print ms / 1000}')"
    fi
    crash=$(ops/lab fail "$fail" | grep -oE ' at [0-9]+\.[0-9]+' | head -1 | tr -d ' at')
    ((loss_ms == 0)) || client_loss off
    wait "$load" || true
    json=$(tail -1 "$out")
    backup=$(ops/lab exec backup curl -s --max-time 5 http://198.18.0.3:8080/status || true)
    serving=$(primary_at "$backup" || true)
    to_serving=-
    [[ -n $serving && -n $crash ]] && to_serving=$(awk -v a="$crash" -v b="$serving" 'BEGIN {printf "%.0f", (b - a) * 1000}')
    # The backup's log: the time its sockets spent in TCP_REPAIR (built, then released), per socket.
    per_socket=$(ops/lab logs backup 2>/dev/null | grep -o '[0-9]* us a socket' | tail -1 | cut -d' ' -f1)
    per_socket=${per_socket:--}
    read -r fo_p99 fo_max < <(failover_stalls "$stalls" "$crash" "$serving" "$count")
    row=$(printf '%-11s %-4s %-12s %-11s %-10s %-15s %-16s %-10s %-10s %-11s %-11s %-10s %s' "$count" "$run" \
      "$(field detectionMs "$backup")" "$(field takeoverMs "$backup")" "$(field restoreMs "$backup")" "$per_socket" \
      "$to_serving" \
      "$(field stall_p99_ms "$json" | cut -d. -f1)" "$(field max_stall_ms "$json" | cut -d. -f1)" "$fo_p99" "$fo_max" \
      "$(field connections_ok "$json")/$(field connections_total "$json")" "$protected")
    echo "$row"
    rows+=("$row")
    for node in primary backup; do
      ops/lab logs "$node" >"$pictures/failover-$fail-$count-$run.$node.log" 2>&1 || true
    done
    takeover_ms=$(field takeoverMs "$backup")
    if [[ -n $crash && -n $serving && $takeover_ms =~ ^[0-9]+$ && -s $stalls ]]; then
      decision=$(awk -v s="$serving" -v t="$takeover_ms" 'BEGIN {printf "%.3f", s - t / 1000}')
      java -jar "$ops_jar" drill-picture --stalls "$stalls" --connections "$count" \
        --title "$fail, $count connections, a request every $interval ms each, run $run ($mode mode)" \
        --mark "crash=$crash" --mark "decision=$decision" --mark "serving=$serving" \
        --out "$pictures/failover-$fail-$count-$run.svg" | sed 's/^/  /' || true
    fi
    if [[ -z $(field detectionMs "$backup") ]]; then
      echo "  no failover report from the backup; its last warnings and errors:"
      ops/lab logs backup 2>/dev/null | grep -E ' (WARN|ERROR) ' | tail -4 | cut -c1-300 | sed 's/^/    /' || true
    fi
  done
done
echo
echo "medians ($fail, mode $mode, a request every ${interval} ms per connection$( ((loss_ms == 0)) ||
  echo ", the client losing the service's data for $loss_ms ms before the failure"))"
for count in "${counts[@]}"; do
  mine=$(printf '%s\n' "${rows[@]}" | awk -v c="$count" '$1 == c')
  col() { awk -v n="$1" '$n ~ /^[0-9]+$/ {print $n}' <<<"$mine" | median; }
  printf '  %s connections: detection %s ms, takeover %s ms, restore %s ms (repair %s us a socket), crash->serving %s ms, stall p99 %s ms, max %s ms; over the failover p99 %s ms, max %s ms\n' \
    "$count" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)" "$(col 7)" "$(col 8)" "$(col 9)" "$(col 10)" "$(col 11)"
done
if ((relay_runs > 0)); then
  ops/lab down >/dev/null 2>&1 || true
  echo
  echo "steady state beside HAProxy (ops/bench relay --runs $relay_runs):"
  "$repo/ops/bench.d/relay.bash" --runs "$relay_runs" | sed 's/^/  /'
fi
