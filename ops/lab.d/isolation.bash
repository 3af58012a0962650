# ops/lab.d/isolation.bash: sourced by ops/lab (it uses ops/lab's constants and helpers). The commands that cut a
# host off and put it back without restarting anything: the fence (the lab's STONITH), fail pause, backup-cut and
# api-block, and resume. See `ops/lab --help`.
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2153 # FENCE_MODES is ops/lab's; FENCE_MODE is set by its read_app_params

FENCE_MODES=(lab none fail)     # start --fence (first value = default)
FENCE_SCRIPT=$STATE/fence.sh    # the nodes' node.takeover.fenceCommand (written by start, mode 700)
FENCE_FILE=$STATE/fence         # the last fence: "HOST TIME"
FENCE_LOCK=$STATE/fence.lock    # one fence at a time: of two nodes fencing each other, one wins
HEALED_BY_FILE=$STATE/healed.by # what undid the last fail: heal or resume
# The API block: in the bridge namespace, drops TCP to and from a server's admin API port.
API_BLOCK_TABLE="bridge understudy_api_block"
API_BLOCK_CHAIN=forward

# The file that holds TIME while HOST's fence is in effect (until heal restarts it).
fenced_file() { printf '%s/fenced-%s' "$STATE" "$1"; }

# The servers whose fence is in effect, one per line.
fenced_hosts() {
  local h
  for h in "${SERVERS[@]}"; do [[ -s $(fenced_file "$h") ]] && echo "$h"; done
  return 0
}

# ---------------------------------------------------------------- fence

# The nodes' fence command, $FENCE_SCRIPT: `bash $FENCE_SCRIPT PEER` (PEER: primary or backup).
# shellcheck disable=SC2016 # the $ expansions in the script's lines belong to the script
write_fence_script() {
  local body
  # shellcheck disable=SC2016 # $1 belongs to the script
  case $FENCE_MODE in
    # The same steps as `ops/lab fence` (whose start-up checks cost a second or more on a loaded machine, all of it
    # added to the takeover), with the lab's names filled in: port down, SIGKILL, VIP off, recorded.
    # The port goes down first: the host is off the LAN. Then the VIP comes off its eth0, and the script answers: a
    # claim the backup makes after that never overlaps the fenced host's address (a CI run saw the claim land 37 ms
    # before a background removal, two holders by the lab's sampler). The SIGKILLs follow in the background (forks
    # cost tens of ms each on a loaded host, all on the takeover's path). The stamp comes from bash, without a fork.
    lab) printf -v body '%s\n' \
      'set -u' \
      '[[ ${1:-} == primary || ${1:-} == backup ]] || { echo "fence: HOST must be primary or backup" >&2; exit 2; }' \
      "h=\$1; lan=$(printf %q "$LAN_NS"); ns=$(printf %q "$PREFIX")-\$h; state=$(printf %q "$STATE")" \
      'exec 8>>"$state/fence.lock" && flock -w 30 8 || { echo "fence $h: lock busy" >&2; exit 1; }' \
      'ip -n "$lan" link set "$h" down || { echo "fence $h: bridge port not set down" >&2; exit 1; }' \
      't=${EPOCHREALTIME/,/.}; ts=${t:0:${#t}-3}' \
      '[[ -s $state/fenced-$h ]] || { echo "$h $ts" >"$state/fence" && echo "$ts" >"$state/fenced-$h"; }' \
      "vip=\$(ip -n \"\$ns\" addr del $(printf %q "$VIP/$NETMASK") dev $(printf %q "$IFACE") 2>/dev/null && echo \", VIP off its $(printf %q "$IFACE")\")" \
      '( for p in $(ip netns pids "$ns"); do o=0; while IFS= read -r -d "" e; do [[ $e == UNDERSTUDY_LAB_OBSERVER=1 ]] && o=1; done <"/proc/$p/environ"; ((o)) || kill -KILL "$p"; done ) >/dev/null 2>&1 8>&- &' \
      'echo "fence $h: bridge port $h down in $lan at $ts${vip}; SIGKILL to the processes in $ns follows"' ;;
    fail) body="echo \"fence: the lab's fence is set to fail (--fence fail)\" >&2; exit 1" ;;
    *) body="echo \"fence: the lab's fence is off (--fence none); nothing was fenced\" >&2; exit 1" ;;
  esac
  (
    umask 077
    printf '#!/usr/bin/env bash\n# The nodes'"'"' fence command (--fence %s), written by ops/lab start.\n%s\n' \
      "$FENCE_MODE" "$body" >"$FENCE_SCRIPT"
  ) && chmod 700 "$FENCE_SCRIPT"
}

# fence HOST: the lab's STONITH. Port down first (the host is off the LAN at once), then SIGKILL to everything in its
# namespace (a powered-off host runs nothing; a test's observers excepted, see SPARE_OBSERVERS), then the VIP off its
# eth0 (a powered-off host holds no address).
cmd_fence() {
  (($# == 1)) || usage_error "fence takes one argument: primary or backup"
  local h=$1 ns ts n prior="" vip="" SPARE_OBSERVERS=1
  [[ $h == primary || $h == backup ]] || usage_error "fence: HOST must be primary or backup, got '$h'"
  require_tools ip flock date
  lab_is_up || die "fence $h: lab '$PREFIX' is not up"
  ns=$(ns_of "$h")
  [[ $(ip netns identify $$ 2>/dev/null) != "$ns" ]] || die "fence $h: refusing to fence $h from inside $ns"
  exec 8>>"$FENCE_LOCK" || die "fence $h: cannot open $FENCE_LOCK"
  flock -w 30 8 || die "fence $h: another fence holds $FENCE_LOCK (30 s)"
  [[ -s $(fenced_file "$h") ]] && prior=$(<"$(fenced_file "$h")")
  ts=$(now_ms)
  ip -n "$LAN_NS" link set "$h" down || die "fence $h: could not set bridge port $h down in $LAN_NS"
  n=$(ns_pids "$ns" | wc -l)
  kill_ns_processes "$ns" KILL >/dev/null || die "fence $h: bridge port down, but processes in $ns survive SIGKILL"
  if host_addresses "$h" | grep -qx "$VIP/$NETMASK"; then
    ip -n "$ns" addr del "$VIP/$NETMASK" dev "$IFACE" || die "fence $h: could not remove the VIP from $ns $IFACE"
    vip=", VIP $VIP removed from its $IFACE"
  fi
  if [[ -z $prior ]]; then
    { echo "$h $ts" >"$FENCE_FILE" && echo "$ts" >"$(fenced_file "$h")"; } || die "fence $h: cannot record it in $STATE"
  fi
  say "fence $h: bridge port $h down in $LAN_NS, SIGKILL to its $n process(es) in $ns$vip at" \
    "$ts${prior:+" (fenced already since $prior)"}"
}

# ---------------------------------------------------------------- fail pause, backup-cut, api-block

# resumable MODE: ops/lab resume undoes that fail.
resumable() { [[ $1 == pause || $1 == backup-cut || $1 == api-block ]]; }

# fail_freeze MODE HOST: host-crash and pause: the bridge port down, every process in the namespace stopped.
fail_freeze() {
  local mode=$1 h=$2 ts n undo="heal"
  [[ $mode == pause ]] && undo="resume (or heal)"
  ip -n "$LAN_NS" link set "$h" down || die "could not set bridge port $h down in $LAN_NS"
  # Stamped once the port is down, not before the command: starting ip takes 50-150 ms on a loaded host, during
  # which the primary still serves, and a stamp taken before it made every detection look that much slower.
  ts=$(now_ms)
  record_fail "$mode" "$h" "$ts" || die "cannot record the fail in $STATE"
  n=$(freeze_host "$h")
  say "fail $mode: $h's bridge port down in $LAN_NS and SIGSTOP to its $n process(es) in $(ns_of "$h") at $ts;" \
    "ops/lab $undo undoes it"
}

fail_backup_cut() {
  local h=$1 ts
  ts=$(now_ms)
  record_fail backup-cut "$h" "$ts" || die "cannot record the fail in $STATE"
  ip -n "$LAN_NS" link set "$h" down || die "could not set bridge port $h down in $LAN_NS"
  say "fail backup-cut: $h's bridge port down in $LAN_NS (the backup; nothing stopped) at $ts;" \
    "ops/lab resume undoes it"
}

# shellcheck disable=SC2086 # API_BLOCK_TABLE is "FAMILY NAME"
api_block_present() { ns_exists "$LAN_NS" && nft_in lan list table $API_BLOCK_TABLE >/dev/null 2>&1; }

api_block_install() {
  local h=$1
  api_block_delete
  nft_in lan -f - <<EOF
table $API_BLOCK_TABLE {
  chain $API_BLOCK_CHAIN {
    type filter hook forward priority filter; policy accept;
    ip daddr ${ADDR[$h]} tcp dport $ADMIN_PORT counter drop comment "understudy api block: to $h's API"
    ip saddr ${ADDR[$h]} tcp sport $ADMIN_PORT counter drop comment "understudy api block: from $h's API"
  }
}
EOF
}

api_block_delete() {
  # shellcheck disable=SC2086
  ! api_block_present || nft_in lan delete table $API_BLOCK_TABLE
}

fail_api_block() {
  local h=$1 ts
  ts=$(now_ms)
  record_fail api-block "$h" "$ts" || die "cannot record the fail in $STATE"
  step "block $h's API on the bridge ($API_BLOCK_TABLE in $LAN_NS)" api_block_install "$h" || exit 1
  say "fail api-block: TCP to/from ${ADDR[$h]}:$ADMIN_PORT ($h's admin API) dropped on the bridge" \
    "($API_BLOCK_TABLE in $LAN_NS, with counters); all else flows, at $ts; ops/lab resume undoes it"
}

# ---------------------------------------------------------------- resume

# resume_pause HOST: the port up first, then SIGCONT (two passes, as freeze_host), so the host wakes up on the LAN.
# Sets RESUME_SUMMARY.
resume_pause() {
  local h=$1 ns pids=() p all=()
  ns=$(ns_of "$h")
  step "set bridge port $h up in $LAN_NS" ip -n "$LAN_NS" link set "$h" up || exit 1
  mapfile -t pids < <(ns_pids "$ns")
  if [[ -s $(fenced_file "$h") ]] || ((${#pids[@]} == 0)); then
    RESUME_SUMMARY="$h was fenced meanwhile (at $(cat "$(fenced_file "$h")" 2>/dev/null || echo '?'); no process left"
    RESUME_SUMMARY+=" in $ns): set its bridge port up only; ops/lab heal restarts it"
    return 0
  fi
  for _ in 1 2; do
    mapfile -t pids < <(ns_pids "$ns")
    for p in "${pids[@]}"; do
      kill -CONT "$p" 2>/dev/null && [[ " ${all[*]} " != *" $p "* ]] && all+=("$p")
    done
  done
  RESUME_SUMMARY="$h's bridge port up, then SIGCONT to its ${#all[@]} process(es) in $ns"
}

# record_roles_from_vip: when exactly one server holds the VIP (and start recorded roles), that one is recorded as
# primary and the other as backup: the nodes decide their roles themselves, the lab only follows the VIP.
record_roles_from_vip() {
  local holders=()
  [[ -f $(role_file primary) && -f $(role_file backup) ]] || return 0
  mapfile -t holders < <(vip_holders)
  ((${#holders[@]} == 1)) && [[ ${holders[0]} != client ]] || return 0
  echo primary >"$(role_file "${holders[0]}")" 2>/dev/null || true
  echo backup >"$(role_file "$(other_server "${holders[0]}")")" 2>/dev/null || true
}

cmd_resume() {
  (($# == 0)) || usage_error "resume takes no arguments"
  local ts RESUME_SUMMARY=""
  if ! read_fail "$FAIL_ACTIVE"; then
    say "nothing to resume"
    return 0
  fi
  resumable "$FAIL_MODE" ||
    die "resume undoes pause, backup-cut and api-block; the fail in effect is $(describe_fail): run ops/lab heal"
  [[ $FAIL_HOST == primary || $FAIL_HOST == backup ]] || die "bad fail record in $FAIL_ACTIVE: $(describe_fail)"
  require_tools ip nft date
  lab_is_up || die "lab '$PREFIX' is not up (a fail is recorded: $(describe_fail)); run ops/lab down"
  ts=$(now_ms)
  case $FAIL_MODE in
    pause) resume_pause "$FAIL_HOST" ;;
    backup-cut)
      step "set bridge port $FAIL_HOST up in $LAN_NS" ip -n "$LAN_NS" link set "$FAIL_HOST" up || exit 1
      RESUME_SUMMARY="$FAIL_HOST's bridge port up"
      ;;
    api-block)
      step "delete $API_BLOCK_TABLE in $LAN_NS" api_block_delete || exit 1
      RESUME_SUMMARY="deleted $API_BLOCK_TABLE in $LAN_NS: $FAIL_HOST's API is reachable again"
      ;;
  esac
  rm -f -- "$FAIL_ACTIVE"
  echo "$ts" >"$HEAL_FILE"
  echo resume >"$HEALED_BY_FILE"
  record_roles_from_vip
  say "resumed $FAIL_MODE on $FAIL_HOST at $ts: $RESUME_SUMMARY (nothing restarted);" \
    "VIP held by $(vip_holders | paste -sd, - | sed 's/^$/nobody/')"
}

# ---------------------------------------------------------------- status

describe_fence_mode() {
  case $FENCE_MODE in
    lab) printf 'lab (UNDERSTUDY_FENCE=command: bash %s PEER runs ops/lab fence PEER)' "$FENCE_SCRIPT" ;;
    fail) printf 'fail (UNDERSTUDY_FENCE=command: bash %s PEER fails with exit 1)' "$FENCE_SCRIPT" ;;
    *) printf 'none (UNDERSTUDY_FENCE=none: the nodes do not fence)' ;;
  esac
}

# The fence and API block parts of status --json (after "tap_loss"), an object built by jq (status.bash's
# STATUS_JQ_DEFS): "fence_mode", "fence" (the last fence: host, at, in_effect; null if none), "fenced" (the hosts whose
# fence is in effect), "api_block".
status_json_isolation() {
  local fence_mode="" last_h="" last_at="" last_in_effect=false blocked=false blocked_h="" blocked_dropped=""
  if read_app_params; then fence_mode=$FENCE_MODE; fi
  if [[ -s $FENCE_FILE ]] && read -r last_h last_at <"$FENCE_FILE" && [[ -n $last_h ]]; then
    if [[ -s $(fenced_file "$last_h") ]]; then last_in_effect=true; fi
  else
    last_h=""
  fi
  if api_block_present; then
    blocked=true
    if read_fail "$FAIL_FILE" && [[ $FAIL_MODE == api-block ]]; then blocked_h=$FAIL_HOST; fi
    blocked_dropped=$(nft_drops lan "$API_BLOCK_TABLE" "$API_BLOCK_CHAIN")
  fi
  jq -nc --arg fence_mode "$fence_mode" --arg last_h "$last_h" --arg last_at "$last_at" \
    --argjson last_in_effect "$last_in_effect" --arg fenced "$(fenced_hosts)" --argjson blocked "$blocked" \
    --arg lan_ns "$LAN_NS" --arg table "$API_BLOCK_TABLE" --arg blocked_h "$blocked_h" \
    --arg blocked_dropped "$blocked_dropped" "$STATUS_JQ_DEFS"'
    {
      fence_mode: ($fence_mode | str_or_null),
      fence: (if $last_h == "" then null
        else {host: $last_h, at: ($last_at | num_or_null), in_effect: $last_in_effect} end),
      fenced: ($fenced | lines),
      api_block: {in_effect: $blocked, namespace: $lan_ns, table: $table, host: ($blocked_h | str_or_null),
        dropped: ($blocked_dropped | num_or_null)}
    }'
}

# The fence and API block lines of status.
status_human_isolation() {
  local h last_h="" last_at=""
  read_app_params && echo "  fence: $(describe_fence_mode)"
  for h in $(fenced_hosts); do
    echo "  FENCED: $h at $(<"$(fenced_file "$h")") (ops/lab fence: port down, processes killed; heal restarts it)"
  done
  if [[ -s $FENCE_FILE ]] && read -r last_h last_at <"$FENCE_FILE" && [[ ! -s $(fenced_file "$last_h") ]]; then
    echo "  last fence: $last_h at $last_at (healed)"
  fi
  if api_block_present; then
    echo "  api block: IN EFFECT ($API_BLOCK_TABLE in $LAN_NS), $(nft_drops lan "$API_BLOCK_TABLE" \
      "$API_BLOCK_CHAIN") frames dropped"
  fi
  return 0
}

# How the last fail was undone: "resumed" (ops/lab resume) or "healed".
undone_by() {
  if [[ $(cat "$HEALED_BY_FILE" 2>/dev/null) == resume ]]; then echo resumed; else echo healed; fi
}
