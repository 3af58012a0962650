# ops/lab.d/status.bash, sourced by ops/lab: status (its JSON built by jq) and logs.
# shellcheck shell=bash
# shellcheck disable=SC2153 # HOSTS and STATE are ops/lab's settings

# ---------------------------------------------------------------- status

# jq helpers of status --json: an empty string as null; digits (with a fraction) as a number, anything else as null;
# the non-empty lines of a string as an array.
STATUS_JQ_DEFS='
def str_or_null: if . == "" then null else . end;
def num_or_null: if test("\\A[0-9]+(\\.[0-9]+)?\\z") then tonumber else null end;
def lines: split("\n") | map(select(. != ""));
'

# status --json: one object, built by jq from what the lab finds (the host, fence and API block parts by their own
# functions, merged in key order).
status_json() {
  local state=$1 h hosts started=false check_send="" check_expect="" token_file="" cert_file="" guard_h
  local guard_dropped="" partition=false partition_dropped="" tap_loss=false tap_host="" tap_percent="" tap_port=""
  local tap_dropped="" fail=false fail_in_effect=false heal_time="" healed_by=""
  hosts=$(for h in "${HOSTS[@]}"; do status_json_host "$h"; done | jq -sc add)
  if read_app_params; then
    started=true check_send=$APP_CHECK_SEND check_expect=$APP_CHECK_EXPECT
  fi
  if read_drill_token; then token_file=$DRILL_TOKEN_FILE; fi
  if [[ $(api_scheme) == https ]]; then cert_file=$API_CERT_FILE; fi
  guard_h=$(guard_hosts | head -n 1)
  if [[ -n $guard_h ]]; then guard_dropped=$(nft_drops "$guard_h" "$GUARD_TABLE" "$GUARD_CHAIN"); fi
  if partition_present; then
    partition=true partition_dropped=$(nft_drops lan "$PARTITION_TABLE" "$PARTITION_CHAIN")
  fi
  if tap_loss_present; then
    read_tap_loss || true
    tap_loss=true tap_host=$TAP_LOSS_HOST tap_percent=$TAP_LOSS_PERCENT tap_port=$TAP_LOSS_PORT
    tap_dropped=$(nft_drops lan "$TAP_LOSS_TABLE" "$TAP_LOSS_CHAIN")
  fi
  if read_fail "$FAIL_FILE"; then
    fail=true
    if [[ -f $FAIL_ACTIVE ]]; then fail_in_effect=true; fi
    if [[ -s $HEAL_FILE ]]; then heal_time=$(<"$HEAL_FILE"); fi
    if [[ -s $HEALED_BY_FILE ]]; then healed_by=$(<"$HEALED_BY_FILE"); fi
  fi
  jq -nc --arg state "$state" --arg prefix "$PREFIX" --arg state_dir "$STATE" --arg vip "$VIP" \
    --arg holders "$(vip_holders)" --argjson hosts "$hosts" --argjson started "$started" \
    --arg command "${APP_CMD:-}" --arg app_port "${APP_PORT:-}" --arg service_port "${SERVICE_PORT:-}" \
    --arg mode "${TAKEOVER_MODE:-}" --arg commit "${COMMIT:-}" --arg divergence "${DIVERGENCE:-}" \
    --arg check_send "$check_send" --arg check_expect "$check_expect" \
    --arg token_file "$token_file" --arg cert_file "$cert_file" \
    --arg guard_host "$guard_h" --arg guard_table "$GUARD_TABLE" --arg guard_set "$GUARD_SET" \
    --arg guard_dropped "$guard_dropped" --arg lan_ns "$LAN_NS" \
    --argjson partition "$partition" --arg partition_table "$PARTITION_TABLE" \
    --arg partition_dropped "$partition_dropped" \
    --argjson tap_loss "$tap_loss" --arg tap_loss_table "$TAP_LOSS_TABLE" --arg tap_host "$tap_host" \
    --arg tap_percent "$tap_percent" --arg tap_port "$tap_port" --arg tap_dropped "$tap_dropped" \
    --argjson isolation "$(status_json_isolation)" \
    --argjson fail "$fail" --arg fail_mode "${FAIL_MODE:-}" --arg fail_host "${FAIL_HOST:-}" \
    --arg fail_time "${FAIL_TIME:-}" --arg fail_extra "${FAIL_EXTRA:-}" --argjson fail_in_effect "$fail_in_effect" \
    --arg heal_time "$heal_time" --arg healed_by "$healed_by" "$STATUS_JQ_DEFS"'
    def if_started(f): if $started then f else null end;
    {
      up: ($state == "up"), state: $state, prefix: $prefix, state_dir: $state_dir, vip: $vip,
      vip_holder: ($holders | lines | if length == 0 then null else join(",") end),
      vip_holders: ($holders | lines),
      hosts: $hosts,
      app: if_started({command: $command, app_port: ($app_port | tonumber),
        service_port: ($service_port | tonumber)}),
      mode: if_started($mode), commit: if_started($commit), divergence: if_started($divergence),
      app_check: if_started({send: $check_send, expect: $check_expect}),
      drill_token_file: ($token_file | str_or_null),
      api_cert_file: ($cert_file | str_or_null),
      guard: {host: ($guard_host | str_or_null), table: $guard_table, set: $guard_set,
        dropped: ($guard_dropped | num_or_null)},
      partition: {in_effect: $partition, namespace: $lan_ns, table: $partition_table,
        dropped: ($partition_dropped | num_or_null)},
      tap_loss: {in_effect: $tap_loss, namespace: $lan_ns, table: $tap_loss_table, host: ($tap_host | str_or_null),
        percent: ($tap_percent | num_or_null), service_port: ($tap_port | num_or_null),
        dropped: ($tap_dropped | num_or_null)}
    } + $isolation + {
      fail: (if $fail then {mode: $fail_mode, host: $fail_host, time: ($fail_time | num_or_null),
        with_app: ($fail_extra == "with-app"), in_effect: $fail_in_effect,
        healed_time: (if $fail_in_effect then null else $heal_time | num_or_null end),
        healed_by: (if $fail_in_effect then null else $healed_by | str_or_null end)} else null end)
    }'
}

# status_json_host HOST: {"HOST": {...}}, HOST's part of status --json's "hosts".
status_json_host() {
  local h=$1 ns kind pid alive pst role node_alive=false processes=()
  ns=$(ns_of "$h")
  role=$(read_role "$h") || role=""
  pid=$(read_pid node "$h") && pid_alive "$pid" "$ns" && node_alive=true
  # Five arguments a process: KIND PID ALIVE STATE LOG (STATE empty when it is not alive).
  for kind in app node runner; do
    pid=$(read_pid "$kind" "$h") || continue
    alive=false pst=""
    if pid_alive "$pid" "$ns"; then
      alive=true
      read -r pst _ < <(proc_state_start "$pid") || true
    fi
    processes+=("$kind" "$pid" "$alive" "$pst" "$(log_file "$kind" "$h")")
  done
  jq -nc --arg h "$h" --arg ns "$ns" --argjson present "$(ns_exists "$ns" && echo true || echo false)" \
    --arg address "${ADDR[$h]}" --arg addresses "$(host_addresses "$h")" \
    --argjson lan_port_up "$(lan_port_up "$h" && echo true || echo false)" --arg role "$role" \
    --argjson node_alive "$node_alive" --arg api_url "$(api_url "$h")" "$STATUS_JQ_DEFS"'
    {($h): {namespace: $ns, present: $present, address: $address, addresses: ($addresses | lines),
      lan_port_up: $lan_port_up, role: ($role | str_or_null), node_alive: $node_alive,
      api_url: ($api_url | str_or_null),
      processes: ([$ARGS.positional | range(0; length; 5) as $i | .[$i:$i + 5]
        | {(.[0]): {pid: (.[1] | tonumber), alive: (.[2] == "true"), state: (if .[2] == "true" then .[3] else null end),
          log: .[4]}}] | add // {})}}' --args "${processes[@]}"
}

status_human() {
  local state=$1 h ns kind pid holders any=0 role alive port pst guard_h note
  case $state in
    up) echo "lab '$PREFIX': up" ;;
    partial) echo "lab '$PREFIX': PARTIAL (run ops/lab up to rebuild, or ops/lab down)" ;;
    down) echo "lab '$PREFIX': down"; return 0 ;;
  esac
  echo "  state dir: $STATE"
  if ns_exists "$LAN_NS"; then
    echo "  bridge:    $BRIDGE in $LAN_NS"
  else
    echo "  bridge:    (namespace $LAN_NS missing)"
  fi
  for h in "${HOSTS[@]}"; do
    ns=$(ns_of "$h")
    if ns_exists "$ns"; then
      printf '  %-8s %-16s %s\n' "$h" "$ns" "$(host_addresses "$h" | paste -sd' ' - | sed 's/^$/(no address)/')"
    else
      printf '  %-8s %-16s %s\n' "$h" "$ns" "(namespace missing)"
    fi
  done
  holders=$(vip_holders | paste -sd, -)
  case $holders in
    "") echo "  VIP $VIP: held by nobody" ;;
    *,*) echo "  VIP $VIP: held by $holders  <-- CONFLICT: more than one holder" ;;
    *) echo "  VIP $VIP: held by $holders" ;;
  esac
  if read_app_params; then
    echo "  app: $APP_CMD  (app port $APP_PORT, service $VIP:$SERVICE_PORT)"
    echo "  node settings: takeover mode $TAKEOVER_MODE, commit $COMMIT, replica divergence $DIVERGENCE"
    echo "  app check: $(describe_app_check)"
    if read_drill_token; then
      echo "  drill token: in $DRILL_TOKEN_FILE (api.tokenFile of both nodes)"
    else
      echo "  drill token: none ($DRILL_TOKEN_FILE is missing: started by an older ops/lab)"
    fi
  else
    echo "  app: not started (ops/lab start --app ...)"
  fi
  for h in "${SERVERS[@]}"; do
    ns=$(ns_of "$h")
    role=$(read_role "$h") || role="-"
    alive="not running"
    pid=$(read_pid node "$h") && pid_alive "$pid" "$ns" && alive="alive"
    lan_port_up "$h" && port="bridge port up" || port="bridge port DOWN"
    [[ $role == - && $alive == "not running" ]] ||
      printf '  %-8s role %-8s node %-12s %s, API %s\n' "$h" "$role" "$alive" "$port" "$(api_url "$h")"
  done
  for h in "${SERVERS[@]}"; do
    ns=$(ns_of "$h")
    for kind in app node runner; do
      pid=$(read_pid "$kind" "$h") || continue
      any=1
      if pid_alive "$pid" "$ns"; then
        read -r pst _ < <(proc_state_start "$pid") || true
        [[ $pst == T ]] && alive="alive (STOPPED)" || alive=alive
      else
        alive=DEAD
      fi
      printf '  %-8s %-6s pid %-8s %s\n' "$h" "$kind" "$pid" "$alive"
    done
  done
  ((any)) || [[ ! -f $APP_CMD_FILE ]] || echo "  (no processes recorded)"
  guard_h=$(guard_hosts | paste -sd, -)
  if [[ -n $guard_h ]]; then
    echo "  guard: $GUARD_TABLE (set $GUARD_SET) on $guard_h, $(nft_drops "${guard_h%%,*}" "$GUARD_TABLE" "$GUARD_CHAIN") FIN/RST dropped"
  else
    echo "  guard: none (no $GUARD_TABLE on primary or backup)"
  fi
  if partition_present; then
    echo "  partition: IN EFFECT ($PARTITION_TABLE in $LAN_NS), $(nft_drops lan "$PARTITION_TABLE" "$PARTITION_CHAIN") frames dropped"
  fi
  if tap_loss_present; then
    read_tap_loss || true
    note=""
    vip_holders | grep -qx "${TAP_LOSS_HOST:-none}" && note=" (that host holds the VIP now: no effect)"
    echo "  tap loss: ${TAP_LOSS_PERCENT:-?} % of service frames (port ${TAP_LOSS_PORT:-?}) to ${TAP_LOSS_HOST:-?}'s" \
      "tap ($TAP_LOSS_TABLE in $LAN_NS), $(nft_drops lan "$TAP_LOSS_TABLE" "$TAP_LOSS_CHAIN") frames dropped$note"
  fi
  status_human_isolation
  if read_fail "$FAIL_FILE"; then
    if [[ -f $FAIL_ACTIVE ]]; then
      echo "  last fail: $(describe_fail), IN EFFECT (ops/lab $(resumable "$FAIL_MODE" && echo "resume or ")heal undoes it)"
    else
      echo "  last fail: $(describe_fail), $(undone_by) at $(cat "$HEAL_FILE" 2>/dev/null || echo '?')"
    fi
  fi
  return 0
}

cmd_status() {
  local json=0 state
  while (($#)); do
    case $1 in
      --json) json=1 ;;
      *) usage_error "status: unknown argument '$1'" ;;
    esac
    shift
  done
  ((json == 0)) || require_tools jq
  state=$(lab_state)
  [[ $state == down ]] || record_roles_from_vip
  if ((json)); then status_json "$state"; else status_human "$state"; fi
}

# ---------------------------------------------------------------- logs

cmd_logs() {
  (($# >= 1)) || usage_error "logs needs a host: client, primary or backup"
  local h=$1 follow=0 kind f files=()
  shift
  is_host "$h" || usage_error "logs: unknown host '$h' (hosts: ${HOSTS[*]})"
  while (($#)); do
    case $1 in
      -f | --follow) follow=1 ;;
      *) usage_error "logs: unknown argument '$1'" ;;
    esac
    shift
  done
  if [[ $h == client ]]; then
    say "the client host runs no node or app, so it has no logs"
    return 0
  fi
  [[ -d $STATE ]] || die "lab '$PREFIX' is down: no logs (state dir $STATE does not exist)"
  if ((follow)); then
    for kind in node app; do
      f=$(log_file "$kind" "$h")
      [[ -f $f ]] && files+=("$f")
    done
    ((${#files[@]} > 0)) || die "no logs for $h yet (nothing was started there)"
    exec tail -n +1 -F "${files[@]}"
  fi
  for kind in node app; do
    f=$(log_file "$kind" "$h")
    echo "===== $kind log of $h: $f ====="
    if [[ -f $f ]]; then cat -- "$f"; else echo "(none: the $kind was not started)"; fi
  done
}
