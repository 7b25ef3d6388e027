# shellcheck shell=bash
# `network.sh doctor`: check what a network needs and say what to fix.
# Prints one JSON object per check: {check, ok, detail, fix}.

# report CHECK OK DETAIL [FIX]
report() {
  jq -cn --arg check "$1" --argjson ok "$2" --arg detail "$3" --arg fix "${4:-}" \
    '{check: $check, ok: $ok, detail: $detail, fix: (if $fix == "" then null else $fix end)}'
}

doctor_tools() {
  local tool path version
  for tool in "${FABRIC_CA_TOOLS[@]}" "${FABRIC_TOOLS[@]}"; do
    if path="$(find_tool "${tool}")"; then
      version="$(tool_version "${path}")"
      local source="found on FABRIC_BIN or PATH"
      [[ -f "$(dirname "${path}")/../SOURCE" ]] && source="$(<"$(dirname "${path}")/../SOURCE")"
      report "binary ${tool}" true "${path} (version ${version:-unknown}; ${source})"
    else
      report "binary ${tool}" false "not in \$FABRIC_BIN, ${FABRIC_HOME}/bin, ${FABRIC_CA_HOME_DIR}/bin or PATH" \
        "run 'bash network/install-binaries.sh' (Go build of the pinned version, or the release download); or set FABRIC_BIN to a folder holding it"
    fi
  done
  local cfg
  for cfg in core.yaml orderer.yaml; do
    if [[ -f "${FABRIC_HOME}/config/${cfg}" || -f "${FABRIC_CFG_PATH:-/nonexistent}/${cfg}" ]]; then
      report "config ${cfg}" true "Fabric's default ${cfg} from the pinned module"
    else
      report "config ${cfg}" false "Fabric's sampleconfig/${cfg} not found in ${FABRIC_HOME}/config" \
        "it is installed with the binaries by 'bash network/install-binaries.sh'; or set FABRIC_CFG_PATH"
    fi
  done
}

doctor_system() {
  local node_version go_version tool
  node_version="$(node --version 2>/dev/null || echo none)"
  if [[ "${node_version}" =~ ^v(2[0-9]|[3-9][0-9])\. ]]; then
    report "node" true "${node_version}"
  else
    report "node" false "${node_version}" "install Node.js 20.9 or later"
  fi
  if go_version="$(go version 2>/dev/null)"; then
    report "go" true "${go_version}"
  else
    report "go" false "not on PATH" "install Go to build Fabric from source, or rely on the release download"
  fi
  for tool in jq curl openssl ss setsid; do
    if command -v "${tool}" >/dev/null; then
      report "tool ${tool}" true "$(command -v "${tool}")"
    else
      report "tool ${tool}" false "not on PATH" "apt-get install ${tool/ss/iproute2}"
    fi
  done
}

# doctor_host: the address the nodes listen on is an IPv4 address held by an interface of
# this host (or of the network namespace the doctor runs in).
doctor_host() {
  local host
  if [[ -f "${PORTS_ENV}" ]]; then
    host="$(saved_setting CIVIC_HOST 127.0.0.1)"
  elif ! check_host_settings 2>/dev/null; then
    report "host" false "CIVIC_HOST '${CIVIC_HOST:-}' is not an IPv4 address" "set CIVIC_HOST to an address of this machine, e.g. 127.0.0.1"
    return 0
  else
    host="${CIVIC_HOST:-127.0.0.1}"
  fi
  if ! command -v ip >/dev/null; then
    report "host" true "nodes on ${host} (not checked: no ip command)"
  elif ip -o -4 addr show 2>/dev/null | grep -q " inet ${host//./\\.}/"; then
    report "host" true "nodes on ${host}, an address of this host"
  else
    report "host" false "no interface here has the address ${host}" "add it (ip addr add ${host}/24 dev IFACE) or choose another CIVIC_HOST"
  fi
}

# doctor_ephemeral BASE: whether the port block lies outside the kernel's range for
# outgoing connections' local ports: inside it, any client socket may hold a node's port
# for a moment, and a node started then fails with "bind: address already in use".
doctor_ephemeral() {
  local base="$1" low high
  read -r low high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || return 0
  if ((base + 59 < low || base > high)); then
    report "ephemeral ports" true "${base}..$((base + 59)) lies outside ${low}..${high} (net.ipv4.ip_local_port_range)"
  else
    report "ephemeral ports" false "${base}..$((base + 59)) overlaps ${low}..${high}, the local ports of outgoing connections: a node may find its port taken at start" \
      "choose a CIVIC_BASE_PORT below $((low - 60)) (e.g. the default 27000) for a new network"
  fi
}

doctor_ports() {
  if [[ -f "${PORTS_ENV}" ]]; then
    load_port_map
    doctor_ephemeral "${CIVIC_BASE_PORT}"
    report "ports" true "network at ${CIVIC_NETWORK_HOME} uses ${CIVIC_BASE_PORT}..$((CIVIC_BASE_PORT + 59)) on ${CIVIC_HOST:-127.0.0.1} (${PORTS_JSON})"
    return 0
  fi
  local base="${CIVIC_BASE_PORT:-27000}" port busy=()
  doctor_ephemeral "${base}"
  for ((port = base; port < base + 60; port++)); do
    port_in_use "${port}" && busy+=("${port}")
  done
  if ((${#busy[@]} == 0)); then
    report "ports" true "${base}..$((base + 59)) free for nodes on ${CIVIC_HOST:-127.0.0.1}"
  else
    report "ports" false "in use: ${busy[*]}" "set CIVIC_BASE_PORT to a free range of 60 ports"
  fi
}

doctor_builder() {
  local builder="${NETWORK_DIR}/builders/node/bin" step work ok=true
  for step in detect build release run; do
    [[ -x "${builder}/${step}" ]] || { report "builder ${step}" false "${builder}/${step} missing or not executable" "chmod +x ${builder}/${step}"; ok=false; }
  done
  [[ "${ok}" == true ]] || return 0
  work="$(mktemp -d)"
  echo '{"type":"node","label":"civic_probe"}' >"${work}/metadata.json"
  if "${builder}/detect" "${work}/src" "${work}"; then
    echo '{"type":"golang","label":"civic_probe"}' >"${work}/metadata.json"
    if "${builder}/detect" "${work}/src" "${work}"; then
      report "builder detect" false "accepts a golang package" "fix network/builders/node/bin/detect"
    else
      report "builder detect" true "accepts node packages, declines others"
    fi
  else
    report "builder detect" false "declines a node package" "fix network/builders/node/bin/detect"
  fi
  rm -rf "${work}"
}

cmd_doctor() {
  doctor_system
  doctor_tools
  doctor_host
  doctor_ports
  doctor_builder
}
