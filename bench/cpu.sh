#!/usr/bin/env bash
# CPU used by each process of a Civic Ledger network over a window, from /proc (no tools needed):
#   bash bench/cpu.sh [SECONDS]        (CIVIC_NETWORK_HOME names the network; default 10 s)
# Prints one line per node (peers, orderers, CAs, and each peer's chaincode process) with the
# share of one core it used, e.g. `peer-city 83.5 %`; run it beside `npm run bench` to see which
# process limits throughput, and a last line with their sum. Reads the pid files `civic network up`
# writes.
set -euo pipefail
home="${CIVIC_NETWORK_HOME:?set CIVIC_NETWORK_HOME to the network state folder}"
window="${1:-10}"
ticks="$(getconf CLK_TCK)"

# cpu_ticks PID: utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || {
    echo 0
    return
  }
  stat="${stat##*) }"
  read -r -a f <<<"${stat}"
  echo $((f[11] + f[12]))
}

declare -A pids=()
shopt -s nullglob
pid_files=("${home}"/pids/*.pid)
if ((${#pid_files[@]} == 0)); then
  echo "cpu.sh: no node of the network at ${home} is running (no pid files in ${home}/pids); start it with 'civic network up'" >&2
  exit 1
fi
for file in "${pid_files[@]}"; do
  name="$(basename "${file}" .pid)"
  pid="$(<"${file}")"
  pids["${name}"]="${pid}"
  if [[ "${name}" == peer-* ]]; then
    for child in $(pgrep -P "${pid}" || true); do pids["chaincode-${name#peer-}-${child}"]="${child}"; done
  fi
done

declare -A before=()
for name in "${!pids[@]}"; do before["${name}"]="$(cpu_ticks "${pids[${name}]}")"; done
sleep "${window}"
total=0
lines=""
for name in "${!pids[@]}"; do
  used=$(($(cpu_ticks "${pids[${name}]}") - before["${name}"]))
  # A process that exited during the window reads 0 ticks: count it as having used none.
  ((used >= 0)) || used=0
  total=$((total + used))
  lines+="$(awk -v n="${name}" -v u="${used}" -v t="${ticks}" -v w="${window}" 'BEGIN { printf "%-32s %6.1f %%", n, 100 * u / t / w }')"$'\n'
done
printf '%s' "${lines}" | sort -k2 -nr
awk -v u="${total}" -v t="${ticks}" -v w="${window}" 'BEGIN { printf "%-32s %6.1f %%\n", "total (network)", 100 * u / t / w }'
