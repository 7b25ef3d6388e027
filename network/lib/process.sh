# shellcheck shell=bash
# Native node processes: start detached under a pid file with one log per node,
# stop, and wait for an operations endpoint to report healthy.

PIDS_DIR="${CIVIC_NETWORK_HOME}/pids"
LOGS_DIR="${CIVIC_NETWORK_HOME}/logs"

# node_pid NAME: print the pid of a running node; 1 when not running.
node_pid() {
  local file="${PIDS_DIR}/$1.pid" pid
  [[ -f "${file}" ]] || return 1
  pid="$(<"${file}")"
  if [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null; then
    printf '%s\n' "${pid}"
  else
    return 1
  fi
}

# start_node NAME COMMAND...: start a node detached (own session, survives the
# shell), logging to ${LOGS_DIR}/NAME.log. Does nothing when it already runs.
start_node() {
  local name="$1"
  shift
  mkdir -p "${PIDS_DIR}" "${LOGS_DIR}"
  if node_pid "${name}" >/dev/null; then
    log_info "${name}: already running (pid $(node_pid "${name}"))"
    return 0
  fi
  setsid "$@" >>"${LOGS_DIR}/${name}.log" 2>&1 </dev/null &
  printf '%s\n' "$!" >"${PIDS_DIR}/${name}.pid"
  log_info "${name}: started (pid $!, log ${LOGS_DIR}/${name}.log)"
}

# stop_node NAME: stop a node (TERM, then KILL after 10 s); quiet when not running.
stop_node() {
  local name="$1" pid i
  if pid="$(node_pid "${name}")"; then
    kill -TERM "${pid}" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "${pid}" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "${pid}" 2>/dev/null || true
    log_info "${name}: stopped"
  fi
  rm -f "${PIDS_DIR}/${name}.pid"
}

# wait_healthy NAME URL [SECONDS]: poll a /healthz endpoint until it answers 200.
# On timeout prints the node's last log lines and fails.
wait_healthy() {
  local name="$1" url="$2" limit="${3:-60}" deadline
  deadline=$((SECONDS + limit))
  while ((SECONDS < deadline)); do
    if ! node_pid "${name}" >/dev/null; then
      log_error "${name} exited; last log lines:"
      tail -n 20 "${LOGS_DIR}/${name}.log" >&2 || true
      return 1
    fi
    if curl -fsS --max-time 2 "${url}" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  log_error "${name} not healthy at ${url} after ${limit}s; last log lines:"
  tail -n 20 "${LOGS_DIR}/${name}.log" >&2 || true
  return 1
}
