# shellcheck shell=bash
# Port map: every port of a network derives from one base port, is checked free
# before first use, and is written once to ${CIVIC_NETWORK_HOME}/ports.env (and
# ports.json for the CLI), so a resumed network keeps its ports. The nodes' address
# is chosen at creation too (CIVIC_HOST for every org of the home, CIVIC_HOST_<ORG>
# for one; default 127.0.0.1) and recorded there as CIVIC_HOST and NODE_HOST_<ORG>.
#
# Layout for org index i (city=0, agencies=1, utilities=2), base B, block 20;
# a joining org's home has one org (i=0) on a base of its own (e.g. B+60):
#   B+20i+0 CA           B+20i+1 CA operations
#   B+20i+2 peer         B+20i+3 peer chaincode   B+20i+4 peer operations
#   B+20i+5 orderer      B+20i+6 orderer admin    B+20i+7 orderer operations
# and for the org's further peers (`civic peer add`: peer1, peer2, ... up to peer4),
# allocated when one is added and appended to the written map:
#   B+20i+8+3(n-1) peer n   +1 its chaincode port   +2 its operations port

# The founding orgs; a network home made by `org-init` (an org that joins a
# running channel from its own host) holds just that org, named in org.env.
FOUNDING_ORGS=(city agencies utilities)
ORG_ENV="${CIVIC_NETWORK_HOME}/org.env"
ORGS=("${FOUNDING_ORGS[@]}")
JOINING_ORG=""
if [[ -f "${ORG_ENV}" ]]; then
  JOINING_ORG="$(sed -n 's/^CIVIC_ORG_NAME=\([a-z][a-z0-9]*\)$/\1/p' "${ORG_ENV}")"
  [[ -n "${JOINING_ORG}" ]] && ORGS=("${JOINING_ORG}")
fi
PORTS_ENV="${CIVIC_NETWORK_HOME}/ports.env"
PORTS_JSON="${CIVIC_NETWORK_HOME}/ports.json"
PORT_ROLES=(ca ca_ops peer peer_chaincode peer_ops orderer orderer_admin orderer_ops)
# The most further peers an org's block of 20 ports holds (offsets 8..19, three each).
MAX_EXTRA_PEERS=4

# valid_org_name NAME: true for a short org name: a lowercase letter, then 1-15 lowercase letters or digits.
valid_org_name() { [[ "$1" =~ ^[a-z][a-z0-9]{1,15}$ ]]; }

# org_msp ORG: the MSP ID of an org short name (city → CityMSP, harbour → HarbourMSP).
org_msp() {
  if ! valid_org_name "$1"; then
    log_error "unknown org '$1' (an org name is a lowercase letter and 1-15 lowercase letters or digits, e.g. city or harbour)"
    return 1
  fi
  printf '%sMSP\n' "${1^}"
}

# port_var ORG ROLE: the name of the variable holding that port, e.g. PORT_CITY_PEER.
port_var() {
  local org="${1^^}" role="${2^^}"
  printf 'PORT_%s_%s\n' "${org}" "${role}"
}

# port_of ORG ROLE: print a port from the loaded map.
port_of() {
  local var
  var="$(port_var "$1" "$2")"
  printf '%s\n' "${!var:?port map not loaded or no port for $1 $2}"
}

# valid_host ADDRESS: true for a dotted IPv4 address (each part 0-255, no leading zeros).
valid_host() {
  local part parts
  [[ "$1" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  IFS=. read -ra parts <<<"$1"
  for part in "${parts[@]}"; do
    [[ "${part}" =~ ^(0|[1-9][0-9]*)$ ]] && ((part <= 255)) || return 1
  done
}

# check_host_settings: every address this home's nodes would get (CIVIC_HOST and
# CIVIC_HOST_<ORG> of its orgs) is an IPv4 address; names the setting that is not.
check_host_settings() {
  local org var vars=(CIVIC_HOST)
  for org in "${ORGS[@]}"; do vars+=("CIVIC_HOST_${org^^}"); done
  for var in "${vars[@]}"; do
    [[ -z "${!var:-}" ]] || valid_host "${!var}" || {
      log_error "${var} must be an IPv4 address of this machine (e.g. 127.0.0.1 or 10.77.5.1), not '${!var}'"
      return 1
    }
  done
}

# port_in_use PORT: true when something listens on PORT (on any address of this host's
# network namespace: a node on another address would still clash with a wildcard listener).
port_in_use() {
  ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

# listening_ports: every TCP port something listens on here, one per line (one ss call
# for a whole port map instead of one per port).
listening_ports() {
  ss -Htln 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }' | sort -un
}

# write_port_map BASE: compute the map from BASE, check every port is free, write it.
write_port_map() {
  local base="$1" i role offset port busy=() listening
  if ! [[ "${base}" =~ ^[0-9]+$ ]] || ((base < 1024 || base > 65000)); then
    log_error "CIVIC_BASE_PORT must be a number between 1024 and 65000 (got '${base}')"
    return 1
  fi
  check_host_settings || return 1
  listening="$(listening_ports | tr '\n' ' ')"
  mkdir -p "${CIVIC_NETWORK_HOME}"
  local env_lines=("CIVIC_BASE_PORT=${base}" "CIVIC_HOST=${CIVIC_HOST:-127.0.0.1}")
  for i in "${!ORGS[@]}"; do
    env_lines+=("NODE_HOST_${ORGS[$i]^^}=$(node_host "${ORGS[$i]}")")
    for offset in "${!PORT_ROLES[@]}"; do
      role="${PORT_ROLES[$offset]}"
      port=$((base + 20 * i + offset))
      [[ " ${listening} " != *" ${port} "* ]] || busy+=("${port} (${ORGS[$i]} ${role})")
      env_lines+=("$(port_var "${ORGS[$i]}" "${role}")=${port}")
    done
  done
  if ((${#busy[@]} > 0)); then
    log_error "ports already in use on this host (its nodes would listen on ${CIVIC_HOST:-127.0.0.1}): ${busy[*]}; choose another CIVIC_BASE_PORT"
    return 1
  fi
  printf '%s\n' "${env_lines[@]}" >"${PORTS_ENV}"
  write_ports_json
}

# write_ports_json: ports.json from ports.env, for the CLI:
# {basePort, host, orgs: {city: {mspId, host, ca, ca_ops, peer, ..., peer1, peer1_chaincode, peer1_ops}, ...}}
write_ports_json() {
  local orgs='{}' org base
  base="$(saved_setting CIVIC_BASE_PORT '')"
  for org in "${ORGS[@]}"; do
    orgs="$(jq -c --arg o "${org}" --arg m "$(org_msp "${org}")" --arg h "$(saved_setting "NODE_HOST_${org^^}" "$(node_host "${org}")")" \
      '. + {($o): {mspId: $m, host: $h}}' <<<"${orgs}")"
  done
  jq -Rn --arg base "${base}" --arg host "$(saved_setting CIVIC_HOST 127.0.0.1)" --argjson orgs "${orgs}" '
    [inputs | capture("^PORT_(?<org>[A-Z]+)_(?<role>[A-Z0-9_]+)=(?<port>[0-9]+)$")]
    | reduce .[] as $p ({basePort: ($base | tonumber), host: $host, orgs: {}};
        .orgs[$p.org | ascii_downcase][$p.role | ascii_downcase] = ($p.port | tonumber))
    | .orgs |= with_entries(.value += $orgs[.key])
  ' <"${PORTS_ENV}" >"${PORTS_JSON}.tmp"
  mv "${PORTS_JSON}.tmp" "${PORTS_JSON}"
}

# peer_role ORG_PEER_NUMBER: the port role prefix of an org's peer n (0 → peer, 2 → peer2).
peer_role() {
  if (($1 == 0)); then printf 'peer\n'; else printf 'peer%s\n' "$1"; fi
}

# extra_peer_numbers ORG: the numbers of the org's further peers with ports in the
# loaded map (1 2 ... in order), one a line; nothing when it has only peer0.
extra_peer_numbers() {
  [[ -f "${PORTS_ENV}" ]] || return 0
  sed -n "s/^PORT_${1^^}_PEER\([1-9][0-9]*\)=.*/\1/p" "${PORTS_ENV}" | sort -n
}

# add_peer_ports ORG N: allocate peer N's three ports in ORG's block (see the layout
# above), check they are free and append them to ports.env and ports.json; nothing
# when they are already in the map. Fails for N outside 1..MAX_EXTRA_PEERS.
add_peer_ports() {
  local org="$1" n="$2" index=-1 i base first role busy=() lines=()
  if ! [[ "${n}" =~ ^[0-9]+$ ]] || ((n < 1 || n > MAX_EXTRA_PEERS)); then
    log_error "an org has at most $((MAX_EXTRA_PEERS + 1)) peers here (peer0..peer${MAX_EXTRA_PEERS}); no port block for peer${n}"
    return 1
  fi
  grep -q "^$(port_var "${org}" "peer${n}")=" "${PORTS_ENV}" && return 0
  for i in "${!ORGS[@]}"; do [[ "${ORGS[$i]}" == "${org}" ]] && index="${i}"; done
  ((index >= 0)) || {
    log_error "no org '${org}' in this network home (orgs: ${ORGS[*]})"
    return 1
  }
  base="$(sed -n 's/^CIVIC_BASE_PORT=\([0-9]*\)$/\1/p' "${PORTS_ENV}")"
  first=$((base + 20 * index + 8 + 3 * (n - 1)))
  for i in 0 1 2; do
    role="$(peer_role "${n}")"
    case "${i}" in 1) role+=_chaincode ;; 2) role+=_ops ;; esac
    port_in_use "$((first + i))" && busy+=("$((first + i)) (${org} ${role})")
    lines+=("$(port_var "${org}" "${role}")=$((first + i))")
  done
  if ((${#busy[@]} > 0)); then
    log_error "ports already in use on this host: ${busy[*]}; stop what holds them and run 'civic peer add' again"
    return 1
  fi
  printf '%s\n' "${lines[@]}" >>"${PORTS_ENV}"
  write_ports_json
}

# load_port_map: load the written map, creating it from CIVIC_BASE_PORT on first use.
load_port_map() {
  if [[ ! -f "${PORTS_ENV}" ]]; then
    write_port_map "${CIVIC_BASE_PORT:-27000}" || return 1
  elif [[ -n "${CIVIC_BASE_PORT:-}" ]] && ! grep -qx "CIVIC_BASE_PORT=${CIVIC_BASE_PORT}" "${PORTS_ENV}"; then
    log_error "this network was created with $(grep CIVIC_BASE_PORT= "${PORTS_ENV}"); run 'civic network clean' to change it"
    return 1
  fi
  check_saved_hosts || return 1
  # shellcheck disable=SC1090
  source "${PORTS_ENV}"
}

# saved_setting NAME DEFAULT: a setting recorded in ports.env (a network made before
# addresses were recorded ran on 127.0.0.1).
saved_setting() {
  local value
  value="$(sed -n "s/^$1=//p" "${PORTS_ENV}")"
  printf '%s\n' "${value:-$2}"
}

# check_saved_hosts: refuse a CIVIC_HOST or CIVIC_HOST_<ORG> that differs from the
# address the network was created with (its certificates and channel name that one).
check_saved_hosts() {
  local org var saved
  saved="$(saved_setting CIVIC_HOST 127.0.0.1)"
  if [[ -n "${CIVIC_HOST:-}" && "${CIVIC_HOST}" != "${saved}" ]]; then
    log_error "this network was created with CIVIC_HOST=${saved}, not ${CIVIC_HOST}; unset CIVIC_HOST, or run 'civic network clean' to change it"
    return 1
  fi
  for org in "${ORGS[@]}"; do
    var="CIVIC_HOST_${org^^}"
    [[ -n "${!var:-}" ]] || continue
    saved="$(saved_setting "NODE_HOST_${org^^}" "$(saved_setting CIVIC_HOST 127.0.0.1)")"
    if [[ "${!var}" != "${saved}" ]]; then
      log_error "this network was created with ${org}'s nodes on ${saved}, not ${var}=${!var}; unset ${var}, or run 'civic network clean' to change it"
      return 1
    fi
  done
}
