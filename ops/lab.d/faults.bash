# ops/lab.d/faults.bash, sourced by ops/lab: fail and heal.
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2153 # ops/lab's settings; SPARE_OBSERVERS (local) is read by processes.bash's ns_pids

# ---------------------------------------------------------------- fail / heal

# Seconds since the epoch with ms, without a fork when bash has EPOCHREALTIME (a fork costs tens of ms when loaded).
now_ms() {
  local t=${EPOCHREALTIME:-}
  t=${t/,/.}
  if [[ $t =~ ^[0-9]+\.[0-9]{6}$ ]]; then printf '%s\n' "${t:0:${#t}-3}"; else date +%s.%3N; fi
}

# Sets FAIL_MODE FAIL_HOST FAIL_TIME FAIL_EXTRA from FILE; false when absent.
read_fail() {
  FAIL_MODE="" FAIL_HOST="" FAIL_TIME="" FAIL_EXTRA=""
  [[ -s $1 ]] || return 1
  read -r FAIL_MODE FAIL_HOST FAIL_TIME FAIL_EXTRA <"$1" || true
  [[ -n $FAIL_MODE && -n $FAIL_HOST ]]
}

describe_fail() {
  printf '%s on %s at %s%s' "$FAIL_MODE" "$FAIL_HOST" "$FAIL_TIME" "${FAIL_EXTRA:+ ($FAIL_EXTRA)}"
}

# The server that holds the VIP now ("the primary" for fail); dies otherwise.
current_primary() {
  local holders=()
  mapfile -t holders < <(vip_holders)
  case ${#holders[@]} in
    0) die "no host holds the VIP $VIP, so there is no primary to fail (see ops/lab status)" ;;
    1) ;;
    *) die "the VIP $VIP is held by more than one host (${holders[*]}); refusing to fail anything" ;;
  esac
  [[ ${holders[0]} != client ]] || die "the VIP $VIP is held by the client host; refusing to fail anything"
  echo "${holders[0]}"
}

# record_fail MODE HOST TIME [EXTRA]: the last fail, and "in effect".
record_fail() {
  echo "$*" >"$FAIL_FILE" && cp -- "$FAIL_FILE" "$FAIL_ACTIVE"
}

# SIGSTOP every process in HOST's namespace (two passes, for anything forked
# meanwhile), then wait up to 2 s for each to be stopped. Prints the count.
freeze_host() {
  local ns pids=() p i st all=() left SPARE_OBSERVERS=1
  ns=$(ns_of "$1")
  for _ in 1 2; do
    mapfile -t pids < <(ns_pids "$ns")
    for p in "${pids[@]}"; do
      kill -STOP "$p" 2>/dev/null || true
      [[ " ${all[*]} " == *" $p "* ]] || all+=("$p")
    done
  done
  for ((i = 0; i < 20; i++)); do
    left=0
    for p in "${all[@]}"; do
      read -r st _ < <(proc_state_start "$p") || true
      [[ -z $st || $st == T || $st == Z ]] || left=1
    done
    ((left)) || break
    sleep 0.1
  done
  ((left == 0)) || warn "some processes of $ns are not stopped yet: ${all[*]}"
  echo "${#all[@]}"
}

fail_process_kill() {
  local h=$1 with_app=$2 ns node app="" pgid ts what
  ns=$(ns_of "$h")
  node=$(read_pid node "$h") || node=0
  pid_alive "$node" "$ns" || die "the node on $h is not running; nothing to kill"
  if ((with_app)); then
    app=$(read_pid app "$h") || app=0
    pid_alive "$app" "$ns" || die "the app on $h is not running; nothing to kill"
    read -r _ _ pgid < <(proc_state_start "$app") || true
  fi
  # A planned drill moves the VIP without moving the guard: the holder gets it first, as a real pair's host has it.
  guard_follow_vip "$SERVICE_PORT" >&2 || die "could not install the guard on $h"
  ts=$(now_ms)
  record_fail process-kill "$h" "$ts" ${app:+with-app} || die "cannot record the fail in $STATE"
  kill -KILL "$node" || die "could not kill the node on $h (pid $node)"
  what="SIGKILL to the node on $h (pid $node)"
  if [[ -n $app ]]; then
    # launch starts the app in a session (and process group) of its own:
    # take its children with it.
    if [[ $pgid == "$app" ]]; then
      kill -KILL -- "-$app" || die "could not kill the app on $h (process group $app)"
      what+=" and to its app (process group $app)"
    else
      kill -KILL "$app" || die "could not kill the app on $h (pid $app)"
      what+=" and to its app (pid $app)"
    fi
  fi
  say "fail process-kill: $what at $ts; its runner releases the VIP, the guard drops the kernel's FIN/RSTs"
}

# fail_app_signal MODE HOST: app-kill (SIGKILL) or app-hang (SIGSTOP) to the app's process group on HOST.
fail_app_signal() {
  local mode=$1 h=$2 sig=KILL ns app pgid ts what target=()
  [[ $mode == app-hang ]] && sig=STOP
  ns=$(ns_of "$h")
  app=$(read_pid app "$h") || app=0
  pid_alive "$app" "$ns" || die "the app on $h is not running; nothing to send SIG$sig to"
  read -r _ _ pgid < <(proc_state_start "$app") || true
  # launch starts the app in a session (and process group) of its own: its children go with it.
  if [[ $pgid == "$app" ]]; then target=(-- "-$app") what="process group $app"; else target=("$app") what="pid $app"; fi
  ts=$(now_ms)
  record_fail "$mode" "$h" "$ts" || die "cannot record the fail in $STATE"
  kill "-$sig" "${target[@]}" || die "could not send SIG$sig to the app on $h ($what)"
  say "fail $mode: SIG$sig to the app on $h ($what) at $ts; the node there keeps running"
}

# fail_relay_error HOST: the node on HOST kills its own relay thread (POST /faults/relay-error, drill token).
fail_relay_error() {
  local h=$1 url out code ts tls=()
  url="$(api_url "$h")faults/relay-error"
  mapfile -t tls < <(api_curl_tls)
  read_drill_token || die "no drill token in $DRILL_TOKEN_FILE; the node's API refuses without it"
  ts=$(now_ms)
  # The token goes to curl on stdin (--config -), never on a command line that ps shows everyone.
  out=$(printf 'header = "Authorization: Bearer %s"\n' "$DRILL_TOKEN" |
    ip netns exec "$(ns_of "$h")" curl -sS --max-time 10 "${tls[@]}" --config - -X POST -w '\n%{http_code}' \
      "$url" 2>&1) || true
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  [[ $code =~ ^2[0-9][0-9]$ ]] || die "fail relay-error: POST $url on $h answered HTTP ${code:-?}: ${out:-(no body)}"
  record_fail relay-error "$h" "$ts" || die "cannot record the fail in $STATE"
  say "fail relay-error: POST $url on $h at $ts: HTTP $code ${out:-(no body)}"
}

fail_logger_kill() {
  local h=$1 ns node ts
  ns=$(ns_of "$h")
  node=$(read_pid node "$h") || node=0
  pid_alive "$node" "$ns" || die "the node on $h (the backup, which runs the logger) is not running; nothing to kill"
  ts=$(now_ms)
  record_fail logger-kill "$h" "$ts" || die "cannot record the fail in $STATE"
  kill -KILL "$node" || die "could not kill the node on $h (pid $node)"
  say "fail logger-kill: SIGKILL to the node on $h (pid $node), the backup running the logger, at $ts"
}

fail_partition() {
  local h=$1 ts
  ts=$(now_ms)
  record_fail partition "$h" "$ts" || die "cannot record the fail in $STATE"
  step "cut the heartbeats on the bridge ($PARTITION_TABLE in $LAN_NS)" partition_install || exit 1
  say "fail partition: TCP to/from ports $CLUSTER_PORT and $FD_SOCK_PORTS and UDP to port $FAST_HEARTBEAT_PORT dropped between bridge ports primary and backup ($PARTITION_TABLE in $LAN_NS; primary is $h); service traffic flows, at $ts"
}

FAIL_MODES="host-crash, process-kill [--with-app], partition, logger-kill, app-kill, app-hang, relay-error, pause,
backup-cut or api-block primary|backup"

cmd_fail() {
  (($# >= 1)) || usage_error "fail needs a mode: $FAIL_MODES"
  local mode=$1 with_app=0 h blocked=""
  shift
  case $mode in
    host-crash | partition | logger-kill | app-kill | app-hang | relay-error | pause | backup-cut)
      (($# == 0)) || usage_error "fail $mode: unknown argument '$1'"
      ;;
    api-block)
      (($# == 1)) || usage_error "fail api-block takes one argument: primary or backup"
      [[ $1 == primary || $1 == backup ]] || usage_error "fail api-block: HOST must be primary or backup, got '$1'"
      blocked=$1
      ;;
    process-kill)
      while (($#)); do
        case $1 in
          --with-app) with_app=1 ;;
          *) usage_error "fail process-kill: unknown argument '$1'" ;;
        esac
        shift
      done
      ;;
    *) usage_error "fail: unknown mode '$mode' (modes: $FAIL_MODES)" ;;
  esac
  require_tools ip nft date awk curl
  lab_is_up || die "lab '$PREFIX' is not up; run ops/lab up and ops/lab start first"
  read_app_params || die "nothing is started in lab '$PREFIX'; run ops/lab start first"
  if read_fail "$FAIL_ACTIVE"; then
    die "a fail is in effect ($(describe_fail)); run ops/lab $(resumable "$FAIL_MODE" && echo "resume or ")heal first"
  fi
  # api-block names its host and needs no VIP holder: it may cut an API in the middle of a handover.
  [[ $mode == api-block ]] || { h=$(current_primary) || exit 1; }
  case $mode in
    host-crash | pause) fail_freeze "$mode" "$h" ;;
    backup-cut) fail_backup_cut "$(other_server "$h")" ;;
    api-block) fail_api_block "$blocked" ;;
    process-kill) fail_process_kill "$h" "$with_app" ;;
    partition) fail_partition "$h" ;;
    logger-kill) fail_logger_kill "$(other_server "$h")" ;;
    app-kill | app-hang) fail_app_signal "$mode" "$h" ;;
    relay-error) fail_relay_error "$h" ;;
  esac
}

# await_takeover HOST: after HOST, holding the VIP, failed while the other node runs, wait (at most 10 s) until the
# other holds the VIP. A heal during that takeover races its fence: the fence set HOST's bridge port down after heal
# had found it up, and the healed node came back cut off (a CI run: unhealthy for 60 s).
await_takeover() {
  local h=$1 other pid i
  other=$(other_server "$h")
  vip_holders | grep -qx "$h" || return 0
  pid=$(read_pid node "$other") && pid_alive "$pid" "$(ns_of "$other")" || return 0
  for ((i = 0; i < 100; i++)); do
    vip_holders | grep -qx "$other" && return 0
    sleep 0.1
  done
  warn "$other has not taken the VIP over 10 s into the heal of $h: healing anyway"
}

# heal_host HOST MODE: after host-crash, pause, fence (SIGKILL at once) or process-kill, make HOST a healthy
# backup again (see usage).
heal_host() {
  # A test's observers (VipHolders) watch the host from outside, as a switch would: heal leaves them, as fence does
  # (killed, they are restarted at once, and the kill never found the namespace empty).
  local h=$1 mode=$2 ns other SPARE_OBSERVERS=1
  ns=$(ns_of "$h")
  other=$(other_server "$h")
  if [[ $mode == host-crash || $mode == pause || $mode == process-kill ]]; then
    await_takeover "$h"
  fi
  if [[ $mode == host-crash || $mode == pause || $mode == fence ]]; then
    kill_ns_processes "$ns" KILL || die "could not kill the processes of the frozen host $h"
  else
    kill_ns_processes "$ns" || die "could not stop what is left of $h's processes"
  fi
  rm -f "$(pid_file app "$h")" "$(pid_file node "$h")" "$(pid_file runner "$h")"
  # A crashed host comes back without its sockets: the killed node's, left to the kernel, would retransmit stale
  # data for the VIP once the port is up (see lab_runner). Destroyed while the port is still down.
  step "destroy $h's TCP sockets of the VIP" ip netns exec "$ns" ss -K -tn src "$VIP" >/dev/null || exit 1
  if host_addresses "$h" | grep -qx "$VIP/$NETMASK"; then
    step "remove the VIP from $h" ip -n "$ns" addr del "$VIP/$NETMASK" dev "$IFACE" || exit 1
    say "removed the VIP $VIP from $h"
  fi
  if ! lan_port_up "$h"; then
    step "set bridge port $h up in $LAN_NS" ip -n "$LAN_NS" link set "$h" up || exit 1
    say "bridge port $h is up again in $LAN_NS"
  fi
  rm -f -- "$(fenced_file "$h")"
  guard_follow_vip "$SERVICE_PORT" || exit 1
  if vip_holders | grep -qx "$other"; then
    echo primary >"$(role_file "$other")"
  fi

  say "restarting the app and the node (as backup) on $h"
  [[ -f $RUNNER_SCRIPT ]] || write_runner_script || die "cannot write $RUNNER_SCRIPT"
  [[ -f $APP_RESTART_SCRIPT ]] || write_app_restart_script || die "cannot write $APP_RESTART_SCRIPT"
  [[ -f $FENCE_SCRIPT ]] || write_fence_script || die "cannot write $FENCE_SCRIPT"
  launch app "$h" sh -c "$APP_CMD" || exit 1
  wait_ready app "$APP_READY_TIMEOUT" "$h 127.0.0.1 $APP_PORT" || exit 1
  launch_node "$h" backup || exit 1
  say "waiting for the node on $h (admin on ${ADDR[$h]}:$ADMIN_PORT; ${NODE_READY_TIMEOUT} s)"
  wait_ready node "$NODE_READY_TIMEOUT" "$h ${ADDR[$h]} $ADMIN_PORT" || exit 1
  wait_healthy "$NODE_READY_TIMEOUT" "$h" || exit 1
}

# heal_app_fail HOST MODE: after app-kill, app-hang or relay-error on HOST (see usage); sets HEAL_SUMMARY to what it
# found and did.
heal_app_fail() {
  local h=$1 mode=$2 ns other holder pid node="not running" app pst="" app_state="not running" out
  ns=$(ns_of "$h")
  other=$(other_server "$h")
  holder=$(vip_holders | paste -sd, -)
  pid=$(read_pid node "$h") && pid_alive "$pid" "$ns" && node=running
  app=$(read_pid app "$h") || app=0
  if pid_alive "$app" "$ns"; then
    read -r pst _ < <(proc_state_start "$app") || true
    if [[ $pst == T ]]; then app_state=stopped; else app_state=running; fi
  fi
  if [[ $holder == "$other" && $node == running && $app_state == running ]]; then
    echo primary >"$(role_file "$other")"
    echo backup >"$(role_file "$h")"
    guard_follow_vip "$SERVICE_PORT" || exit 1
    wait_ready app "$APP_READY_TIMEOUT" "$h 127.0.0.1 $APP_PORT" || exit 1
    wait_healthy "$NODE_READY_TIMEOUT" "$h" "$other" || exit 1
    HEAL_SUMMARY="found the handover done ($other holds the VIP; $h's node runs, with its app, pid $app):"
    HEAL_SUMMARY+=" recorded $other as primary and $h as backup, both nodes healthy"
    return 0
  fi
  HEAL_SUMMARY="found no handover (VIP held by ${holder:-nobody}; $h's node $node, app $app_state): "
  if [[ $app_state == stopped ]]; then
    kill -CONT -- "-$app" 2>/dev/null || kill -CONT "$app" || true
    kill -KILL -- "-$app" 2>/dev/null || kill -KILL "$app" || true
    HEAL_SUMMARY+="SIGCONT and SIGKILL to the stopped app (process group $app); "
  fi
  if [[ $mode == relay-error || $node != running ]]; then
    heal_host "$h" process-kill
    HEAL_SUMMARY+="restarted $h's app and node as backup"
    return 0
  fi
  # The node runs but did not hand over: give it its app back (as it would have done) unless one runs already.
  if [[ $app_state == running ]]; then
    wait_ready app "$APP_READY_TIMEOUT" "$h 127.0.0.1 $APP_PORT" || exit 1
    HEAL_SUMMARY+="left the running app (pid $app) and node as they are"
  else
    [[ -f $APP_RESTART_SCRIPT ]] || write_app_restart_script || die "cannot write $APP_RESTART_SCRIPT"
    out=$(join_host_cgroup "$h" "$BASHPID" && exec ip netns exec "$ns" bash "$APP_RESTART_SCRIPT" "$h") || die "heal: could not restart the app on $h: $out"
    HEAL_SUMMARY+="restarted the app with $APP_RESTART_SCRIPT (pid $(read_pid app "$h")) under the running node"
  fi
  if [[ $holder == primary || $holder == backup ]]; then
    echo primary >"$(role_file "$holder")"
    echo backup >"$(role_file "$(other_server "$holder")")"
  fi
  guard_follow_vip "$SERVICE_PORT" || exit 1
  wait_healthy "$NODE_READY_TIMEOUT" "${SERVERS[@]}" || exit 1
  HEAL_SUMMARY+="; both nodes healthy"
}

# The servers heal restarts after the fail in effect (if any) is undone: each one fenced, or whose node is not
# running (after start), one per line as "HOST fence|process-kill".
servers_to_restart() {
  local h pid
  read_app_params || return 0
  for h in "${SERVERS[@]}"; do
    if [[ -s $(fenced_file "$h") ]]; then
      echo "$h fence"
    elif ! { pid=$(read_pid node "$h") && pid_alive "$pid" "$(ns_of "$h")"; }; then
      echo "$h process-kill"
    fi
  done
}

# heal_fail: undo the fail in effect (read_fail has set FAIL_*); sets HEAL_SUMMARY after app fails.
heal_fail() {
  case $FAIL_MODE in
    partition)
      step "delete $PARTITION_TABLE in $LAN_NS" partition_delete || exit 1
      ;;
    api-block)
      step "delete $API_BLOCK_TABLE in $LAN_NS" api_block_delete || exit 1
      ;;
    backup-cut)
      step "set bridge port $FAIL_HOST up in $LAN_NS" ip -n "$LAN_NS" link set "$FAIL_HOST" up || exit 1
      ;;
    host-crash | pause | process-kill | logger-kill | app-kill | app-hang | relay-error)
      [[ $FAIL_HOST == primary || $FAIL_HOST == backup ]] || die "bad fail record in $FAIL_ACTIVE: $(describe_fail)"
      if [[ $FAIL_MODE == app-* || $FAIL_MODE == relay-error ]]; then
        heal_app_fail "$FAIL_HOST" "$FAIL_MODE"
      else
        heal_host "$FAIL_HOST" "$FAIL_MODE"
      fi
      ;;
    *) die "unknown fail mode in $FAIL_ACTIVE: $(describe_fail); run ops/lab down" ;;
  esac
  rm -f -- "$FAIL_ACTIVE"
}

cmd_heal() {
  (($# == 0)) || usage_error "heal takes no arguments"
  local holder HEAL_SUMMARY="" active=0 restart=() h why also="" done_line
  read_fail "$FAIL_ACTIVE" && active=1
  mapfile -t restart < <(servers_to_restart)
  if ((active == 0 && ${#restart[@]} == 0)); then
    say "nothing to heal"
    return 0
  fi
  require_tools ip nft ss setsid flock ps awk tail date curl od tr
  lab_is_up || die "lab '$PREFIX' is not up (something to heal: ${FAIL_MODE:-${restart[*]}}); run ops/lab down"
  read_app_params || die "the start parameters are missing in $STATE; run ops/lab down"
  if ! read_drill_token; then
    # A lab started by an ops/lab without drill tokens: the restarted node gets a new one (the other has none).
    new_drill_token || die "cannot make the drill token in $DRILL_TOKEN_FILE"
    warn "no drill token in $STATE (the lab was started by an older ops/lab): made a new one for the healed node"
  fi
  ((active == 0)) || heal_fail
  # Then every server fenced (by a node, during the fail or after it) or whose node is not running.
  mapfile -t restart < <(servers_to_restart)
  for h in "${restart[@]}"; do
    read -r h why <<<"$h"
    heal_host "$h" "$why"
    also+="${also:+, }$h ($([[ $why == fence ]] && echo fenced || echo "node was not running"))"
  done
  now_ms >"$HEAL_FILE"
  echo heal >"$HEALED_BY_FILE"
  holder=$(vip_holders | paste -sd, - | sed 's/^$/nobody/')
  also=${also:+"; restarted as backup: $also"}
  if ((active == 0)); then
    done_line="healed at $(<"$HEAL_FILE"): no fail in effect$also"
  else
    case $FAIL_MODE in
      partition) done_line="healed partition at $(<"$HEAL_FILE"): the bridge passes heartbeats again$also" ;;
      api-block) done_line="healed api-block at $(<"$HEAL_FILE"): $FAIL_HOST's API is reachable again$also" ;;
      backup-cut) done_line="healed backup-cut at $(<"$HEAL_FILE"): $FAIL_HOST's bridge port is up again$also" ;;
      app-* | relay-error) done_line="healed $FAIL_MODE at $(<"$HEAL_FILE"): $HEAL_SUMMARY$also" ;;
      *) done_line="healed $FAIL_MODE at $(<"$HEAL_FILE"): $FAIL_HOST is back as backup$also" ;;
    esac
  fi
  say "$done_line; VIP held by $holder"
}
