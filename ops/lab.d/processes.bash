# ops/lab.d/processes.bash, sourced by ops/lab: the lab's processes: kill, runner, app restart, launch, readiness.
# shellcheck shell=bash
# shellcheck disable=SC2153 # PREFIX and STATE are ops/lab's settings

# ---------------------------------------------------------------- processes

# "STATE STARTTIME PGID" of a pid from /proc/PID/stat (fields 3, 22 and 5),
# or nothing.
proc_state_start() {
  local line rest fields
  line=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  rest=${line##*) }  # the fields after "(comm)", starting at field 3
  read -r -a fields <<<"$rest"
  echo "${fields[0]} ${fields[19]} ${fields[2]}"
}

# A process we signalled is gone when its /proc entry is gone or belongs to
# another process (pid reused), or is only a zombie whose threads have all
# exited (the zombie is its parent's to reap, not ours). $1 is PID:STARTTIME.
proc_gone() {
  local pid=${1%%:*} start=${1#*:} st="" stst="" tasks
  read -r st stst _ < <(proc_state_start "$pid") || true
  [[ -n $st && $stst == "$start" ]] || return 0
  [[ $st == Z ]] || return 1
  tasks=("/proc/$pid/task/"*)
  ((${#tasks[@]} <= 1))
}

# Pids in namespace $1 (without this script).
ns_pids() {
  local p
  if ((SPARE_OBSERVERS)); then
    for p in $(ip netns pids "$1" 2>/dev/null); do
      [[ $p == "$$" ]] || is_observer "$p" || echo "$p"
    done
  else
    ip netns pids "$1" 2>/dev/null | grep -vx "$$" || true
  fi
}

# Set (local) to 1 by fail host-crash/pause and fence: ns_pids then leaves out the test's observers, processes
# started with UNDERSTUDY_LAB_OBSERVER=1 in their environment (VipHolders' address monitors), which watch a host from
# outside it as a switch would; down kills them with the rest.
SPARE_OBSERVERS=0
is_observer() {
  local e
  while IFS= read -r -d '' e; do
    [[ $e == UNDERSTUDY_LAB_OBSERVER=1 ]] && return 0
  done 2>/dev/null <"/proc/$1/environ"
  return 1
}

# Helpers of kill_ns_processes (they use its locals ns, pids, signalled,
# lingering, p). kill_refresh: re-read pids (inside the namespace) and
# lingering (signalled, not gone); false when nothing is left.
kill_refresh() {
  mapfile -t pids < <(ns_pids "$ns")
  lingering=()
  for p in "${signalled[@]}"; do
    [[ " ${pids[*]} " == *" ${p%%:*} "* ]] && continue
    proc_gone "$p" || lingering+=("${p%%:*}")
  done
  ((${#pids[@]} + ${#lingering[@]} > 0))
}

# kill_pass SIG: send SIG to every pid now inside the namespace, remember it.
# A stopped process (fail host-crash) also gets SIGCONT after SIGTERM, or the
# TERM would wait for ever; SIGKILL ends stopped processes as it is.
kill_pass() {
  local pst start
  for p in "${pids[@]}"; do
    read -r pst start _ < <(proc_state_start "$p") || true
    [[ -n $pst ]] || continue
    if [[ $1 == TERM && " ${signalled[*]} " == *" $p:$start "* ]]; then
      continue  # TERM once per process (a second one means "hurry" to some apps)
    fi
    signalled+=("$p:$start")
    kill "-$1" "$p" 2>/dev/null || true
    [[ $1 == TERM && $pst == T ]] && { kill -CONT "$p" 2>/dev/null || true; }
  done
}

# kill_ns_processes NS [KILL]: kill every process in namespace NS: TERM, up to
# 3 s, KILL (KILL at once when asked), and wait until each is gone. A
# multi-threaded process that is exiting leaves the namespace (`ip netns pids`)
# before its last thread ends, so the ones signalled are also followed by pid
# and start time (never signalled again once outside).
kill_ns_processes() {
  local ns=$1 first=${2:-TERM} pids=() signalled=() lingering=() p i
  ns_exists "$ns" || return 0
  mapfile -t pids < <(ns_pids "$ns")
  ((${#pids[@]} > 0)) || return 0

  if [[ $first == KILL ]]; then
    say "killing (SIGKILL) ${#pids[@]} process(es) in $ns: ${pids[*]}"
  else
    say "stopping ${#pids[@]} process(es) in $ns: ${pids[*]}"
    for ((i = 0; i < 30; i++)); do
      kill_pass TERM
      sleep 0.1
      kill_refresh || return 0
    done
    say "still running in $ns after 3 s, sending SIGKILL: ${pids[*]} ${lingering[*]}"
  fi
  for ((i = 0; i < 100; i++)); do
    kill_pass KILL
    sleep 0.1
    kill_refresh || return 0
  done
  warn "processes of $ns survive SIGKILL after 10 s: ${pids[*]} ${lingering[*]}"
  return 1
}

# ---------------------------------------------------------------- runner

# The lab's runner (systemd's ExecStopPost in production), written to
# $RUNNER_SCRIPT by start and run in a host's namespace in a session of its
# own: lab_runner NODE_PIDFILE VIP/MASK IFACE CMD... starts CMD (the node,
# which writes its pid to NODE_PIDFILE), waits for it to exit, then removes
# VIP/MASK from IFACE if this host holds it. It restarts nothing.
lab_runner() {
  local pidf=$1 vip=$2 dev=$3 node status out
  shift 3
  stamp() { date -u +%FT%T.%3NZ; }
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner sh
  sh -c 'echo $$ > "$0" && exec "$@"' "$pidf" "$@" </dev/null &
  node=$!
  echo "$(stamp) runner: pid $$ runs node pid $node; when it exits: release $vip if held (no restart)"
  wait "$node"
  status=$?
  # The dead node's sockets for the service address are the kernel's now: their unacked data would be retransmitted
  # to the clients for minutes (the guard drops only FIN/RSTs), stale segments the new primary's clients ignore but
  # the new backup's tap takes for connections it never saw open. Destroy them (their RSTs meet the guard).
  if out=$(ss -K -tn src "${vip%/*}" 2>&1 | tail -n +2 | wc -l); then
    echo "$(stamp) runner: destroyed $out TCP sockets of ${vip%/*} left by the node"
  fi
  if ip -4 -o addr show dev "$dev" | grep -q " inet $vip "; then
    if out=$(ip addr del "$vip" dev "$dev" 2>&1); then
      echo "$(stamp) runner: node exited (status $status), VIP released"
    else
      echo "$(stamp) runner: node exited (status $status), FAILED to release the VIP: $out"
    fi
  else
    echo "$(stamp) runner: node exited (status $status), VIP not held here"
  fi
}

write_runner_script() {
  {
    echo '#!/usr/bin/env bash'
    echo "# The lab's runner, written by ops/lab start (see lab_runner in $REPO/ops/lab.d/processes.bash)."
    declare -f lab_runner
    # shellcheck disable=SC2016 # literal text of the script
    echo 'lab_runner "$@"'
  } >"$RUNNER_SCRIPT"
}

# The nodes' app restart command (node.app.restartCommand), written to $APP_RESTART_SCRIPT by start: after handing
# its connections over, a node runs `bash $APP_RESTART_SCRIPT HOST` in its own namespace. lab_app_restart PREFIX STATE
# APP_PORT APP_CMD HOST (one at a time per host: flock) kills the old app's process group (from the pid file; SIGKILL
# and SIGCONT, so a stopped one goes too), waits (5 s) until it is gone, starts APP_CMD as launch does but without
# `ip netns exec`, waits (30 s) until 127.0.0.1:APP_PORT listens, and prints one line: status 0 done, 1 failed (the
# line says why).
lab_app_restart() {
  local prefix=$1 state=$2 port=$3 cmd=$4 h=${5:-} ns pidf logf old="" new="" i killed="no old app was running"
  [[ $h == primary || $h == backup ]] || { echo "app-restart: usage: bash $0 primary|backup"; return 1; }
  ns=$prefix-$h pidf=$state/app-$h.pid logf=$state/app-$h.log
  [[ $(ip netns identify $$ 2>/dev/null) == "$ns" ]] || { echo "app-restart: $h: not run in namespace $ns"; return 1; }
  # One restart at a time per host (the node's and heal's or an operator's): the second kills the first one's app.
  exec 9>>"$state/app-$h.lock"
  flock -w 40 9 || { echo "app-restart: $h: another restart holds $state/app-$h.lock (40 s)"; return 1; }
  # The old app's process group, members in this namespace that are not zombies (launch makes pid = group id).
  group() { ps -A -o pid=,pgid=,stat= | while read -r p g st; do
    [[ $g == "$1" && $st != Z* && $(ip netns identify "$p" 2>/dev/null) == "$ns" ]] && echo "$p"; done; }
  [[ -s $pidf ]] && old=$(<"$pidf")
  if [[ $old =~ ^[0-9]+$ && -n $(group "$old") ]]; then
    kill -KILL -- "-$old" 2>/dev/null; kill -CONT -- "-$old" 2>/dev/null
    for ((i = 0; i < 50; i++)); do [[ -z $(group "$old") ]] && break; sleep 0.1; done
    [[ -z $(group "$old") ]] || { echo "app-restart: $h: the old app (group $old) lives 5 s after SIGKILL"; return 1; }
    killed="killed the old app (process group $old)"
  fi
  rm -f "$pidf"
  printf '=== app %s restarted %s: sh -c %s\n' "$h" "$(date -u +%FT%TZ)" "$cmd" >>"$logf"
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner sh
  setsid sh -c 'echo $$ > "$0" && exec "$@"' "$pidf" sh -c "$cmd" </dev/null >>"$logf" 2>&1 9>&- &
  for ((i = SECONDS + 30; SECONDS < i; )); do
    [[ -z $new && -s $pidf ]] && new=$(<"$pidf")
    if [[ -n $new ]] && ss -ltnH | awk -v a="127.0.0.1:$port" -v p=":$port" \
      '$4 == a || $4 == "0.0.0.0" p || $4 == "*" p || $4 == "[::]" p { f = 1 } END { exit !f }'; then
      echo "app-restart: $h: $killed, started the app (pid $new), listening on 127.0.0.1:$port"
      return 0
    fi
    if [[ -n $new && $(ps -o stat= -p "$new") != [^Z]* ]]; then
      echo "app-restart: $h: $killed; the new app (pid $new) exited, see $logf"
      return 1
    fi
    sleep 0.1
  done
  echo "app-restart: $h: $killed; the new app (pid ${new:-none}) is not listening on 127.0.0.1:$port after 30 s"
  return 1
}

write_app_restart_script() {
  {
    echo '#!/usr/bin/env bash'
    echo '# shellcheck disable=SC2016 # (declare -f drops comments) $$ and $@ belong to the inner sh'
    echo "# The nodes' app restart command, written by ops/lab start (see lab_app_restart in $REPO/ops/lab.d/processes.bash)."
    echo "# Usage, inside the host's namespace: bash $APP_RESTART_SCRIPT primary|backup"
    declare -f lab_app_restart
    printf 'lab_app_restart %q %q %q %q "$@"\n' "$PREFIX" "$STATE" "$APP_PORT" "$APP_CMD"
  } >"$APP_RESTART_SCRIPT"
}

# launch_node HOST ROLE: the node under its runner (started by launch), with
# the start parameters; records ROLE; waits for the node's pid file.
launch_node() {
  local h=$1 role=$2 nodepidf i config=$REPO/ops/config/lab-node.yml keystore_password=""
  ensure_pair_secret || { warn "cannot make the pair's secret in $PAIR_SECRET_FILE"; return 1; }
  if [[ $(api_scheme) == https ]]; then
    config=$TLS_NODE_CONFIG
    read -r keystore_password <"$API_KEYSTORE_PASSWORD_FILE" || { warn "cannot read $API_KEYSTORE_PASSWORD_FILE"; return 1; }
  fi
  nodepidf=$(pid_file node "$h")
  rm -f "$nodepidf"
  echo "$role" >"$(role_file "$h")"
  # The node reads the token from its file (api.tokenFile): never on a command line that ps shows, nor in an environ.
  launch runner "$h" bash "$RUNNER_SCRIPT" "$nodepidf" "$VIP/$NETMASK" "$IFACE" env \
    UNDERSTUDY_NODE_ID="$h" \
    UNDERSTUDY_ROLE="$role" \
    UNDERSTUDY_LAN_ADDRESS="${ADDR[$h]}" \
    UNDERSTUDY_VIP="$VIP" \
    UNDERSTUDY_SERVICE_PORT="$SERVICE_PORT" \
    UNDERSTUDY_APP_PORT="$APP_PORT" \
    UNDERSTUDY_TAKEOVER_MODE="$TAKEOVER_MODE" \
    UNDERSTUDY_COMMIT="$COMMIT" \
    UNDERSTUDY_REPLICA_DIVERGENCE="$DIVERGENCE" \
    UNDERSTUDY_LOG_DIR="$STATE" \
    UNDERSTUDY_PEERS="${ADDR[primary]}:$CLUSTER_PORT,${ADDR[backup]}:$CLUSTER_PORT" \
    UNDERSTUDY_CLUSTER_PORT="$CLUSTER_PORT" \
    UNDERSTUDY_LAB_GUARD_TABLE="$GUARD_TABLE" \
    UNDERSTUDY_LAB_GUARD_SET="$GUARD_SET" \
    UNDERSTUDY_APP_CHECK_SEND="$APP_CHECK_SEND" \
    UNDERSTUDY_APP_CHECK_EXPECT="$APP_CHECK_EXPECT" \
    UNDERSTUDY_APP_RESTART="$APP_RESTART_SCRIPT" \
    UNDERSTUDY_REPLICA_SYNC="$([[ -f $REPLICA_SYNC_SCRIPT ]] && echo "$REPLICA_SYNC_SCRIPT")" \
    UNDERSTUDY_SEED_SOCKET="$STATE/seed-$(ns_of "$h").sock" \
    UNDERSTUDY_FAULT_INJECTION=true \
    UNDERSTUDY_SECRET_FILE="$PAIR_SECRET_FILE" \
    UNDERSTUDY_DRILL_TOKEN_FILE="$DRILL_TOKEN_FILE" \
    UNDERSTUDY_FENCE="$([[ $FENCE_MODE == none ]] && echo none || echo command)" \
    UNDERSTUDY_FENCE_SCRIPT="$FENCE_SCRIPT" \
    UNDERSTUDY_PEER_NAME="$(other_server "$h")" \
    UNDERSTUDY_API_KEYSTORE="$API_KEYSTORE_FILE" \
    UNDERSTUDY_API_KEYSTORE_PASSWORD="$keystore_password" \
    "$REPO/ops/understudy" server "$config" || return 1
  for ((i = 0; i < 50; i++)); do
    [[ -s $nodepidf ]] && return 0
    sleep 0.1
  done
  warn "node on $h did not start under its runner (no pid after 5 s)"
  show_log_tail "$(log_file node "$h")"
  return 1
}

# ---------------------------------------------------------------- launch

# listening HOST ADDR PORT: something in HOST's namespace listens on ADDR:PORT
# (or on the wildcard address, which covers ADDR).
listening() {
  local ns
  ns=$(ns_of "$1")
  ip netns exec "$ns" ss -ltnH 2>/dev/null |
    awk -v a="$2:$3" -v p=":$3" '
      { l = $4 }
      l == a || l == "0.0.0.0" p || l == "*" p || l == "[::]" p { f = 1 }
      END { exit !f }'
}

show_log_tail() {
  local f=$1
  warn "last 20 lines of $f:"
  if [[ -s $f ]]; then
    tail -n 20 "$f" | sed 's/^/    /' >&2
  else
    echo "    (empty)" >&2
  fi
}

# launch KIND HOST CMD...: start CMD detached in HOST's namespace (own session,
# stdin /dev/null, output to the log); the started process writes its own pid.
launch() {
  local kind=$1 h=$2 ns pidf logf i
  shift 2
  ns=$(ns_of "$h")
  pidf=$(pid_file "$kind" "$h")
  logf=$(log_file "$kind" "$h")
  rm -f "$pidf"
  printf '=== %s %s started %s: %s\n' "$kind" "$h" "$(date -u +%FT%TZ)" "$*" >>"$logf"
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner sh
  (
    trap - PIPE  # the launched process gets the default SIGPIPE back
    join_host_cgroup "$h" "$BASHPID"
    exec setsid ip netns exec "$ns" sh -c 'echo $$ > "$0" && exec "$@"' "$pidf" "$@"
  ) </dev/null >>"$logf" 2>&1 &
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidf ]] && return 0
    sleep 0.1
  done
  warn "$kind on $h did not start (no pid after 5 s)"
  show_log_tail "$logf"
  return 1
}

# wait_ready KIND TIMEOUT CHECK: poll until every "HOST ADDR PORT" line in
# CHECK listens, failing early when the KIND process of that host dies.
wait_ready() {
  local kind=$1 timeout=$2 checks=$3 deadline h a p pid pending
  deadline=$((SECONDS + timeout))
  while :; do
    pending=""
    while read -r h a p; do
      [[ -n $h ]] || continue
      listening "$h" "$a" "$p" && continue
      pid=$(read_pid "$kind" "$h") || pid=0
      if ! pid_alive "$pid" "$(ns_of "$h")"; then
        warn "$kind on $h (pid $pid) exited before listening on $a:$p"
        show_log_tail "$(log_file "$kind" "$h")"
        return 1
      fi
      pending+="$h:$a:$p "
    done <<<"$checks"
    [[ -z $pending ]] && return 0
    if ((SECONDS >= deadline)); then
      warn "$kind not ready after ${timeout} s; not listening: ${pending% }"
      local seen=""
      for h in $pending; do
        h=${h%%:*}
        [[ " $seen " == *" $h "* ]] && continue
        seen+=" $h"
        show_log_tail "$(log_file "$kind" "$h")"
      done
      return 1
    fi
    sleep 0.2
  done
}

# wait_healthy TIMEOUT HOST...: poll each node's health check (Dropwizard's admin port, on 127.0.0.1 inside the host)
# until it answers 200. A node
# listens on its API port before its role has started (the tap capturing, the relay accepting); clients must
# not come before that, or the backup would pick their connections up mid-stream.
wait_healthy() {
  local timeout=$1 deadline h code pending
  shift
  deadline=$((SECONDS + timeout))
  while :; do
    pending=""
    for h in "$@"; do
      code=$(ip netns exec "$(ns_of "$h")" curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
        "http://127.0.0.1:$DW_ADMIN_PORT/healthcheck" 2>/dev/null) || code=000
      [[ $code == 200 ]] || pending+="$h($code) "
    done
    [[ -z $pending ]] && return 0
    if ((SECONDS >= deadline)); then
      warn "node not healthy after ${timeout} s: ${pending% }"
      for h in "$@"; do show_log_tail "$(log_file node "$h")"; done
      return 1
    fi
    sleep 0.2
  done
}
