# shellcheck shell=bash
# Native node processes: start detached under a pid file with one log per node,
# stop, and wait for an operations endpoint to report healthy.

PIDS_DIR="${CIVIC_NETWORK_HOME}/pids"
LOGS_DIR="${CIVIC_NETWORK_HOME}/logs"

# process_start PID: when process PID started (clock ticks after boot, field 22 of
# /proc/PID/stat, read after the command name, which may hold spaces); fails when
# there is no such process. A pid and its start time name one process: pids are
# reused (pid_max may be as low as 32768, and a test run starts many thousands).
process_start() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  read -r -a stat <<<"${stat##*) }"
  [[ -n "${stat[19]:-}" ]] || return 1
  printf '%s\n' "${stat[19]}"
}

# node_pid NAME: print the pid of a running node; 1 when not running. The pid file
# names the node only while a process with that pid and the recorded start time
# runs: after a crash or a kill -9 the pid may belong to some other process by now,
# which must be neither taken for the node nor signalled.
node_pid() {
  local file="${PIDS_DIR}/$1.pid" pid started
  [[ -f "${file}" ]] || return 1
  pid="$(<"${file}")"
  [[ "${pid}" =~ ^[0-9]+$ ]] || return 1
  started="$(process_start "${pid}")" || return 1
  if [[ -f "${PIDS_DIR}/$1.start" && "$(<"${PIDS_DIR}/$1.start")" != "${started}" ]]; then
    return 1
  fi
  printf '%s\n' "${pid}"
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
  process_start "$!" >"${PIDS_DIR}/${name}.start" || rm -f "${PIDS_DIR}/${name}.start"
  log_info "${name}: started (pid $!, log ${LOGS_DIR}/${name}.log)"
}

# stop_node NAME: stop a node (TERM, then KILL after 10 s); quiet when not running.
stop_node() {
  local name="$1" pid i
  if pid="$(node_pid "${name}")"; then
    kill -TERM "${pid}" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      node_pid "${name}" >/dev/null || break
      sleep 0.1
    done
    # Only the node itself: once it has exited, its pid may already be another process's.
    if node_pid "${name}" >/dev/null; then kill -KILL "${pid}" 2>/dev/null || true; fi
    log_info "${name}: stopped"
  fi
  rm -f "${PIDS_DIR}/${name}.pid" "${PIDS_DIR}/${name}.start"
}

# listens_on PID PORT: true when process PID itself holds the listening socket of PORT.
listens_on() {
  ss -Hltnp "sport = :$2" 2>/dev/null | grep -q "pid=$1,"
}

# wait_healthy NAME URL [SECONDS] [PORT]: poll a /healthz endpoint until it answers 200 and,
# with PORT, until the node itself listens there (a node's operations endpoint can answer
# for a moment before the node fails to bind its main port and exits). On timeout or exit
# prints the node's last log lines and a fix, and fails.
wait_healthy() {
  local name="$1" url="$2" limit="${3:-60}" port="${4:-}" deadline pid
  deadline=$((SECONDS + limit))
  while ((SECONDS < deadline)); do
    if ! node_pid "${name}" >/dev/null; then
      log_error "${name} exited at start; last log lines of ${LOGS_DIR}/${name}.log:"
      tail -n 20 "${LOGS_DIR}/${name}.log" >&2 || true
      log_error "fix: $(failure_hint "${LOGS_DIR}/${name}.log")"
      return 1
    fi
    pid="$(node_pid "${name}")" || continue
    if curl -fsS --max-time 2 "${url}" >/dev/null 2>&1 && { [[ -z "${port}" ]] || listens_on "${pid}" "${port}"; }; then
      return 0
    fi
    sleep 0.2
  done
  log_error "${name} not healthy at ${url} after ${limit}s; last log lines:"
  tail -n 20 "${LOGS_DIR}/${name}.log" >&2 || true
  log_error "fix: $(failure_hint "${LOGS_DIR}/${name}.log")"
  return 1
}

# failure_hint LOG: what to do about the most likely cause of a node's failure, from its log.
failure_hint() {
  local log="$1" port
  if port="$(grep -oE 'listen tcp [0-9.]+:[0-9]+: bind: address already in use' "${log}" | tail -n 1 | grep -oE ':[0-9]+:' | tr -d :)" && [[ -n "${port}" ]]; then
    printf "port %s is taken by another process (ss -ltnp 'sport = :%s' shows which); stop it and run 'civic network up' again, or 'civic network clean' and choose another CIVIC_BASE_PORT\n" "${port}" "${port}"
  elif grep -qiE 'x509|certificate|tls: ' "${log}"; then
    printf "the node's certificates do not match its CA or address; 'civic network clean' then 'civic network up' re-create the crypto material\n"
  elif grep -qiE 'no space left on device' "${log}"; then
    printf "the disk is full; free space under %s and run 'civic network up' again\n" "${CIVIC_NETWORK_HOME}"
  else
    printf "read the log lines above; 'civic network doctor' checks binaries, ports and the builder; 'civic network up' again resumes where it stopped\n"
  fi
}
