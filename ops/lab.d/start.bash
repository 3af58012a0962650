# ops/lab.d/start.bash, sourced by ops/lab: start and its parameters (app, node settings, token, secret, API TLS).
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2153 # read_app_params sets APP_* for the other files; the settings are ops/lab's

# ---------------------------------------------------------------- start parameters

read_app_params() {
  # Sets APP_CMD, APP_PORT, SERVICE_PORT, TAKEOVER_MODE, COMMIT, FENCE_MODE (lab when not recorded), DIVERGENCE
  # (exact when not recorded), APP_CHECK_SEND,
  # APP_CHECK_EXPECT (both empty when APP_CHECK_FILE is missing: a lab started by an older ops/lab); returns 1 when
  # not started.
  [[ -f $APP_CMD_FILE && -f $APP_PORTS_FILE && -f $SETTINGS_FILE ]] || return 1
  APP_CMD="" APP_CHECK_SEND="" APP_CHECK_EXPECT=""
  IFS= read -r -d '' APP_CMD <"$APP_CMD_FILE" || true
  read -r APP_PORT SERVICE_PORT <"$APP_PORTS_FILE" || return 1
  read -r TAKEOVER_MODE COMMIT FENCE_MODE DIVERGENCE <"$SETTINGS_FILE" || return 1
  FENCE_MODE=${FENCE_MODE:-${FENCE_MODES[0]}}
  DIVERGENCE=${DIVERGENCE:-${DIVERGENCES[0]}}
  if [[ -f $APP_CHECK_FILE ]]; then
    { IFS= read -r APP_CHECK_SEND && IFS= read -r APP_CHECK_EXPECT; } <"$APP_CHECK_FILE" || return 1
  fi
  one_of "$TAKEOVER_MODE" "${TAKEOVER_MODES[@]}" && one_of "$COMMIT" "${COMMITS[@]}" &&
    one_of "$FENCE_MODE" "${FENCE_MODES[@]}" && one_of "$DIVERGENCE" "${DIVERGENCES[@]}"
}

# A new random drill token (32 hex characters) in DRILL_TOKEN_FILE, readable by root only; sets DRILL_TOKEN.
new_drill_token() {
  local token
  token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') || return 1
  [[ $token =~ ^[0-9a-f]{32}$ ]] || return 1
  (umask 077 && printf '%s\n' "$token" >"$DRILL_TOKEN_FILE") || return 1
  DRILL_TOKEN=$token
}

# ensure_pair_secret: the nodes' pair secret (node.security.secretFile), 32 random bytes as 64 hex characters in a
# root-only file in the state dir; made once (by the first launch_node after start), kept by heal.
ensure_pair_secret() {
  local secret
  [[ -s $PAIR_SECRET_FILE ]] && return 0
  secret=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n') || return 1
  [[ $secret =~ ^[0-9a-f]{64}$ ]] || return 1
  (umask 077 && printf '%s\n' "$secret" >"$PAIR_SECRET_FILE")
}

# Sets DRILL_TOKEN from DRILL_TOKEN_FILE; returns 1 when it is missing or not 32 hex characters.
read_drill_token() {
  DRILL_TOKEN=""
  [[ -s $DRILL_TOKEN_FILE ]] || return 1
  read -r DRILL_TOKEN <"$DRILL_TOKEN_FILE" || true
  [[ $DRILL_TOKEN =~ ^[0-9a-f]{32}$ ]] || { DRILL_TOKEN=""; return 1; }
}

# The admin API's base URL of a server (nothing for the client): https after start --api-tls.
api_url() {
  [[ $1 == client ]] || printf '%s://%s:%s/' "$(api_scheme)" "${ADDR[$1]}" "$ADMIN_PORT"
}

api_scheme() {
  if [[ -s $API_CERT_FILE ]]; then echo https; else echo http; fi
}

# make_api_tls: for start --api-tls, the pair's keystore, its password, the certificate in PEM and the nodes' config
# with an https API connector (lab-node.yml with its http application connector swapped for https).
make_api_tls() {
  local keytool=keytool password
  [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/keytool ]] && keytool=$JAVA_HOME/bin/keytool
  command -v "$keytool" >/dev/null || { warn "start --api-tls needs the JDK's keytool"; return 1; }
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') || return 1
  (umask 077 && printf '%s\n' "$password" >"$API_KEYSTORE_PASSWORD_FILE") || return 1
  rm -f "$API_KEYSTORE_FILE" "$API_CERT_FILE"
  (umask 077 && "$keytool" -genkeypair -alias understudy-api -keyalg EC -groupname secp256r1 -validity 30 \
    -dname "CN=understudy lab $PREFIX" -ext "san=ip:${ADDR[primary]},ip:${ADDR[backup]}" -storetype PKCS12 \
    -keystore "$API_KEYSTORE_FILE" -storepass:file "$API_KEYSTORE_PASSWORD_FILE" >/dev/null 2>&1) ||
    { warn "keytool could not make $API_KEYSTORE_FILE"; return 1; }
  "$keytool" -exportcert -rfc -alias understudy-api -keystore "$API_KEYSTORE_FILE" \
    -storepass:file "$API_KEYSTORE_PASSWORD_FILE" -file "$API_CERT_FILE" >/dev/null 2>&1 ||
    { warn "keytool could not export the certificate to $API_CERT_FILE"; return 1; }
  awk '
    /^  applicationConnectors:/ { in_api = 1; print; next }
    in_api && /^    - type: http *$/ {
      print "    - type: https       # start --api-tls: the pair'"'"'s keystore, its certificate names both servers"
      print "      keyStorePath: ${UNDERSTUDY_API_KEYSTORE}"
      print "      keyStorePassword: ${UNDERSTUDY_API_KEYSTORE_PASSWORD}"
      print "      keyStoreType: PKCS12"
      swapped++; in_api = 0; next
    }
    { print }
    END { exit swapped == 1 ? 0 : 1 }' "$REPO/ops/config/lab-node.yml" >"$TLS_NODE_CONFIG" ||
    { warn "cannot find the http application connector in $REPO/ops/config/lab-node.yml"; return 1; }
}

# The curl options that make a request to the lab's API trust its certificate (none for plain http).
api_curl_tls() {
  [[ $(api_scheme) == https ]] && printf '%s\n' --cacert "$API_CERT_FILE"
  return 0
}

# ---------------------------------------------------------------- start

valid_port() {
  [[ $1 =~ ^[0-9]{1,5}$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535))
}

# join_or A B C: "A, B or C".
join_or() {
  local out=$1
  shift
  while (($# > 1)); do out+=", $1"; shift; done
  (($#)) && out+=" or $1"
  printf '%s' "$out"
}

# one_of VALUE CHOICE...: VALUE is one of the CHOICEs.
one_of() {
  local v=$1 c
  shift
  for c in "$@"; do [[ $v == "$c" ]] && return 0; done
  return 1
}

# yaml_escapes_ok VALUE: VALUE can stand between double quotes in YAML as it is (the node's config puts the app
# check values there): no double quote, no newline, and a backslash only in \r, \n, \t or \\.
yaml_escapes_ok() {
  local rest=${1//\\\\/}  # drop the \\ pairs first (left to right, as YAML reads them)
  rest=${rest//\\[rnt]/}
  [[ $1 != *[\"$'\n']* && $rest != *\\* ]]
}

# check_app_check_value OPTION VALUE: a usage error unless yaml_escapes_ok.
check_app_check_value() {
  yaml_escapes_ok "$2" || usage_error "start: $1 takes YAML double-quoted text: no double quote or newline, and a" \
    "backslash only as \\r, \\n, \\t or \\\\ (e.g. 'PING\\r\\n'), got '$2'"
}

describe_app_check() {
  if [[ -z $APP_CHECK_SEND && -z $APP_CHECK_EXPECT ]]; then
    printf 'none given (UNDERSTUDY_APP_CHECK_SEND and _EXPECT of both nodes are empty)'
  else
    printf 'send "%s", expect "%s" (UNDERSTUDY_APP_CHECK_SEND and _EXPECT of both nodes)' \
      "$APP_CHECK_SEND" "$APP_CHECK_EXPECT"
  fi
}

# The nodes' replica.syncCommand for start --replica-sync CMD: runs CMD with what the node gives it in the environment.
write_replica_sync_script() {
  printf '#!/bin/bash\n# ops/lab start --replica-sync: the nodes'"'"' replica.syncCommand\nexec bash -c %q\n' "$1" \
    >"$REPLICA_SYNC_SCRIPT" && chmod 755 "$REPLICA_SYNC_SCRIPT"
}

cmd_start() {
  local app="" app_port="" service_port="" h checks node_bin node_conf check_send="" check_expect=""
  local mode=${TAKEOVER_MODES[0]} commit=${COMMITS[0]} fence=${FENCE_MODES[0]} have_app=0 api_tls=0
  local divergence=${DIVERGENCES[0]} replica_sync="" have_sync=0
  while (($#)); do
    case $1 in
      --api-tls) api_tls=1; shift ;;
      --app) (($# >= 2)) || usage_error "start: --app needs a value"; app=$2; have_app=1; shift 2 ;;
      --app=*) app=${1#--app=}; have_app=1; shift ;;
      --app-port) (($# >= 2)) || usage_error "start: --app-port needs a value"; app_port=$2; shift 2 ;;
      --app-port=*) app_port=${1#--app-port=}; shift ;;
      --service-port) (($# >= 2)) || usage_error "start: --service-port needs a value"; service_port=$2; shift 2 ;;
      --service-port=*) service_port=${1#--service-port=}; shift ;;
      --mode)
        (($# >= 2)) || usage_error "start: --mode needs a value ($(join_or "${TAKEOVER_MODES[@]}"))"
        mode=$2; shift 2 ;;
      --mode=*) mode=${1#--mode=}; shift ;;
      --commit)
        (($# >= 2)) || usage_error "start: --commit needs a value ($(join_or "${COMMITS[@]}"))"
        commit=$2; shift 2 ;;
      --commit=*) commit=${1#--commit=}; shift ;;
      --divergence)
        (($# >= 2)) || usage_error "start: --divergence needs a value ($(join_or "${DIVERGENCES[@]}"))"
        divergence=$2; shift 2 ;;
      --divergence=*) divergence=${1#--divergence=}; shift ;;
      --app-check-send)
        (($# >= 2)) || usage_error "start: --app-check-send needs a value"; check_send=$2; shift 2 ;;
      --app-check-send=*) check_send=${1#--app-check-send=}; shift ;;
      --app-check-expect)
        (($# >= 2)) || usage_error "start: --app-check-expect needs a value"; check_expect=$2; shift 2 ;;
      --app-check-expect=*) check_expect=${1#--app-check-expect=}; shift ;;
      --fence)
        (($# >= 2)) || usage_error "start: --fence needs a value ($(join_or "${FENCE_MODES[@]}"))"
        fence=$2; shift 2 ;;
      --fence=*) fence=${1#--fence=}; shift ;;
      --replica-sync)
        (($# >= 2)) || usage_error "start: --replica-sync needs a value"; replica_sync=$2; have_sync=1; shift 2 ;;
      --replica-sync=*) replica_sync=${1#--replica-sync=}; have_sync=1; shift ;;
      *) usage_error "start: unknown argument '$1'" ;;
    esac
  done
  ((have_app)) || usage_error "start: --app 'CMD' is required"
  [[ $app =~ [^[:space:]] ]] || usage_error "start: --app must not be empty"
  [[ -n $app_port ]] || usage_error "start: --app-port N is required"
  [[ -n $service_port ]] || usage_error "start: --service-port P is required"
  valid_port "$app_port" || usage_error "start: --app-port must be an integer 1-65535, got '$app_port'"
  valid_port "$service_port" || usage_error "start: --service-port must be an integer 1-65535, got '$service_port'"
  one_of "$mode" "${TAKEOVER_MODES[@]}" ||
    usage_error "start: --mode must be $(join_or "${TAKEOVER_MODES[@]}"), got '$mode'"
  one_of "$commit" "${COMMITS[@]}" ||
    usage_error "start: --commit must be $(join_or "${COMMITS[@]}"), got '$commit'"
  one_of "$fence" "${FENCE_MODES[@]}" ||
    usage_error "start: --fence must be $(join_or "${FENCE_MODES[@]}"), got '$fence'"
  one_of "$divergence" "${DIVERGENCES[@]}" ||
    usage_error "start: --divergence must be $(join_or "${DIVERGENCES[@]}"), got '$divergence'"
  if ((have_sync)) && [[ ! $replica_sync =~ [^[:space:]] ]]; then
    usage_error "start: --replica-sync must not be empty"
  fi
  check_app_check_value --app-check-send "$check_send"
  check_app_check_value --app-check-expect "$check_expect"
  app_port=$((10#$app_port))
  service_port=$((10#$service_port))

  require_tools ip ss setsid flock ps awk tail nft curl od tr
  lab_is_up || die "lab '$PREFIX' is not up; run ops/lab up first"
  if [[ -e $APP_CMD_FILE ]] || compgen -G "$STATE/*.pid" >/dev/null; then
    die "already started; run ops/lab down"
  fi
  node_bin=$REPO/ops/understudy
  node_conf=$REPO/ops/config/lab-node.yml
  [[ -x $node_bin ]] || die "node launcher $node_bin is missing or not executable"
  [[ -f $node_conf ]] || die "node config $node_conf is missing"

  printf '%s' "$app" >"$APP_CMD_FILE"
  echo "$app_port $service_port" >"$APP_PORTS_FILE"
  echo "$mode $commit $fence $divergence" >"$SETTINGS_FILE"
  printf '%s\n%s\n' "$check_send" "$check_expect" >"$APP_CHECK_FILE"
  read_app_params || die "cannot read back the start parameters in $STATE"
  new_drill_token || die "cannot make the drill token in $DRILL_TOKEN_FILE"
  write_runner_script || die "cannot write $RUNNER_SCRIPT"
  write_app_restart_script || die "cannot write $APP_RESTART_SCRIPT"
  write_fence_script || die "cannot write $FENCE_SCRIPT"
  rm -f "$REPLICA_SYNC_SCRIPT"
  if ((have_sync)); then
    write_replica_sync_script "$replica_sync" || die "cannot write $REPLICA_SYNC_SCRIPT"
  fi
  if ((api_tls)); then
    make_api_tls || die "cannot make the API's keystore and certificate in $STATE (start --api-tls)"
  fi

  step "install the guard ($GUARD_TABLE) on primary" guard_install primary "$service_port" || exit 1

  for h in "${SERVERS[@]}"; do
    launch app "$h" sh -c "$app" || exit 1
  done
  checks=""
  for h in "${SERVERS[@]}"; do checks+="$h 127.0.0.1 $app_port"$'\n'; done
  say "waiting for the app to listen on 127.0.0.1:$app_port on ${SERVERS[*]} (${APP_READY_TIMEOUT} s)"
  wait_ready app "$APP_READY_TIMEOUT" "$checks" || exit 1

  for h in "${SERVERS[@]}"; do
    launch_node "$h" "$h" || exit 1
  done
  checks=""
  for h in "${SERVERS[@]}"; do checks+="$h ${ADDR[$h]} $ADMIN_PORT"$'\n'; done
  checks+="primary $VIP $service_port"$'\n'
  say "waiting for the nodes (admin on :$ADMIN_PORT, primary on $VIP:$service_port; ${NODE_READY_TIMEOUT} s)"
  wait_ready node "$NODE_READY_TIMEOUT" "$checks" || exit 1
  say "waiting for the nodes' health checks (127.0.0.1:$DW_ADMIN_PORT/healthcheck: role, heartbeat, tap, read log)"
  wait_healthy "$NODE_READY_TIMEOUT" "${SERVERS[@]}" || exit 1

  print_start_summary "$service_port" 2>/dev/null || true
}

print_start_summary() {
  local service_port=$1 h
  say "started. The service is reachable from the client host at $VIP:$service_port"
  echo "  e.g.   ops/lab exec client <your client> $VIP $service_port"
  for h in "${SERVERS[@]}"; do
    printf '  %-8s app pid %s, node pid %s (runner pid %s), admin API %s\n' "$h" \
      "$(read_pid app "$h")" "$(read_pid node "$h")" "$(read_pid runner "$h")" "$(api_url "$h")"
  done
  if [[ $(api_scheme) == https ]]; then
    echo "  API TLS: certificate $API_CERT_FILE (curl --cacert, ops/understudy drill --cacert; status --json: api_cert_file)"
  fi
  echo "  node settings: takeover mode $TAKEOVER_MODE, commit $COMMIT, replica divergence $DIVERGENCE"
  echo "  app check: $(describe_app_check)"
  echo "  app restart: bash $APP_RESTART_SCRIPT HOST (UNDERSTUDY_APP_RESTART; the node runs it in its namespace)"
  echo "  fence: $(describe_fence_mode)"
  if [[ -f $REPLICA_SYNC_SCRIPT ]]; then
    echo "  replica sync: $REPLICA_SYNC_SCRIPT (UNDERSTUDY_REPLICA_SYNC; a backup whose app has not followed the primary runs it)"
  fi
  echo "  drill token: in $DRILL_TOKEN_FILE (api.tokenFile of both nodes; status --json: drill_token_file)"
  echo "  guard: $GUARD_TABLE (set $GUARD_SET) on primary"
  echo "  logs:  ops/lab logs primary|backup   (files in $STATE)"
}
