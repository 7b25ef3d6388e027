# shellcheck shell=bash
# Orderers and peers as native processes: Fabric's own sampleconfig
# orderer.yaml / core.yaml from the pinned module, overridden per node with
# ORDERER_* / CORE_* environment variables (as Fabric's nano test network does).
#
# Layout under ${CIVIC_NETWORK_HOME}/nodes/<node>/: data (ledgers, Raft WAL and
# snapshots, chaincode builds). Logs: ${LOGS_DIR}/<node>.log.

# node_host ORG: the address an org's nodes listen on and are reached at: the one
# recorded in ports.env when the network was created (NODE_HOST_<ORG>), else
# CIVIC_HOST_<ORG>, else CIVIC_HOST (every org of this network home), else 127.0.0.1.
node_host() {
  local saved="NODE_HOST_${1^^}" var="CIVIC_HOST_${1^^}"
  printf '%s\n' "${!saved:-${!var:-${CIVIC_HOST:-127.0.0.1}}}"
}

# Fabric's default log format without terminal colours (logs go to files).
LOG_FORMAT='%{time:2006-01-02 15:04:05.000 MST} [%{module}] %{shortfunc} -> %{level:.4s} %{id:03x} %{message}'

node_data_dir() { printf '%s\n' "${CIVIC_NETWORK_HOME}/nodes/$1/data"; }
org_dir() { printf '%s\n' "${CIVIC_NETWORK_HOME}/orgs/$1"; }
orderer_endpoint() { printf '%s:%s\n' "$(node_host "$1")" "$(port_of "$1" orderer)"; }
# peer_endpoint ORG [N]: host:port of the org's peer N (default 0, its first peer).
peer_endpoint() { printf '%s:%s\n' "$(node_host "$1")" "$(port_of "$1" "$(peer_role "${2:-0}")")"; }
# peer_node_name ORG [N]: the node name of the org's peer N (peer-city, peer1-city, ...).
peer_node_name() {
  if ((${2:-0} == 0)); then printf 'peer-%s\n' "$1"; else printf 'peer%s-%s\n' "$2" "$1"; fi
}
# peer_dir ORG [N]: the folder of peer N's signing identity and TLS key pair (msp/, tls/).
peer_dir() {
  if ((${2:-0} == 0)); then printf '%s/peer\n' "$(org_dir "$1")"; else printf '%s/peer%s\n' "$(org_dir "$1")" "$2"; fi
}
# gossip_bootstrap ORG N: the endpoints peer N bootstraps gossip from: the org's other
# peers added so far, its first peer first (space-separated, as CORE_PEER_GOSSIP_BOOTSTRAP takes
# them); its own endpoint when it is the org's only peer.
gossip_bootstrap() {
  local org="$1" n="$2" other list=()
  for other in 0 $(added_peer_numbers "${org}"); do
    ((other == n)) || list+=("$(peer_endpoint "${org}" "${other}")")
  done
  ((${#list[@]} > 0)) || list=("$(peer_endpoint "${org}" "${n}")")
  printf '%s\n' "${list[*]}"
}

# fabric_config_dir: Fabric's default core.yaml and orderer.yaml (sampleconfig of the pinned module).
fabric_config_dir() {
  if [[ -n "${FABRIC_CFG_PATH:-}" && -f "${FABRIC_CFG_PATH}/core.yaml" ]]; then
    printf '%s\n' "${FABRIC_CFG_PATH}"
  elif [[ -f "${FABRIC_HOME}/config/core.yaml" ]]; then
    printf '%s\n' "${FABRIC_HOME}/config"
  else
    log_error "Fabric's sampleconfig (core.yaml, orderer.yaml) is not in ${FABRIC_HOME}/config; run 'bash network/install-binaries.sh fabric'"
    return 1
  fi
}

# start_orderer ORG: the org's etcdraft ordering node (TLS, channel participation
# API on the admin port with mutual TLS, no system channel), waited on until healthy.
start_orderer() {
  local org="$1" dir tls host data
  dir="$(org_dir "${org}")/orderer"
  tls="${dir}/tls"
  host="$(node_host "${org}")"
  data="$(node_data_dir "orderer-${org}")"
  mkdir -p "${data}"
  start_node "orderer-${org}" env \
    FABRIC_CFG_PATH="$(fabric_config_dir)" \
    FABRIC_LOGGING_SPEC="${CIVIC_LOGGING_SPEC:-info}" FABRIC_LOGGING_FORMAT="${LOG_FORMAT}" \
    ORDERER_GENERAL_LISTENADDRESS="${host}" \
    ORDERER_GENERAL_LISTENPORT="$(port_of "${org}" orderer)" \
    ORDERER_GENERAL_LOCALMSPID="$(org_msp "${org}")" \
    ORDERER_GENERAL_LOCALMSPDIR="${dir}/msp" \
    ORDERER_GENERAL_BOOTSTRAPMETHOD=none \
    ORDERER_GENERAL_TLS_ENABLED=true \
    ORDERER_GENERAL_TLS_CERTIFICATE="${tls}/server.crt" \
    ORDERER_GENERAL_TLS_PRIVATEKEY="${tls}/server.key" \
    ORDERER_GENERAL_TLS_ROOTCAS="[${tls}/ca.crt]" \
    ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE="${tls}/server.crt" \
    ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY="${tls}/server.key" \
    ORDERER_GENERAL_CLUSTER_ROOTCAS="[${tls}/ca.crt]" \
    ORDERER_FILELEDGER_LOCATION="${data}/ledger" \
    ORDERER_CONSENSUS_WALDIR="${data}/etcdraft/wal" \
    ORDERER_CONSENSUS_SNAPDIR="${data}/etcdraft/snapshot" \
    ORDERER_CHANNELPARTICIPATION_ENABLED=true \
    ORDERER_ADMIN_LISTENADDRESS="${host}:$(port_of "${org}" orderer_admin)" \
    ORDERER_ADMIN_TLS_ENABLED=true \
    ORDERER_ADMIN_TLS_CERTIFICATE="${tls}/server.crt" \
    ORDERER_ADMIN_TLS_PRIVATEKEY="${tls}/server.key" \
    ORDERER_ADMIN_TLS_ROOTCAS="[${tls}/ca.crt]" \
    ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED=true \
    ORDERER_ADMIN_TLS_CLIENTROOTCAS="[${tls}/ca.crt]" \
    ORDERER_OPERATIONS_LISTENADDRESS="${host}:$(port_of "${org}" orderer_ops)" \
    ORDERER_METRICS_PROVIDER=prometheus \
    "$(find_tool orderer)" start
  wait_healthy "orderer-${org}" "http://${host}:$(port_of "${org}" orderer_ops)/healthz" 60 "$(port_of "${org}" orderer)"
}

# external_builders_json: the node external builder, with the environment its
# build step needs (npm reads HOME for its cache, the registry settings, and
# whether to stay offline: NPM_CONFIG_OFFLINE / NPM_CONFIG_PREFER_OFFLINE) and
# the chaincode's own settings (CIVIC_MAX_CLOCK_SKEW_SECONDS: the proposal
# timestamp skew a peer accepts, default 300 s; CIVIC_CHAINCODE_PROF_DIR: profile
# the chaincode process, see builders/node/bin/run), taken from the peer's environment.
external_builders_json() {
  jq -cn --arg path "${NETWORK_DIR}/builders/node" \
    '[{name: "civic-node", path: $path, propagateEnvironment: ["HOME", "NPM_CONFIG_CACHE", "NPM_CONFIG_REGISTRY", "NPM_CONFIG_OFFLINE", "NPM_CONFIG_PREFER_OFFLINE", "npm_config_cache", "npm_config_registry", "npm_config_offline", "npm_config_prefer_offline", "CIVIC_BUILDER_LOG", "CIVIC_MAX_CLOCK_SKEW_SECONDS", "CIVIC_CHAINCODE_PROF_DIR"]}]'
}

# total_query_limit: the peers' ledger.state.totalQueryLimit (results per range
# query), from CIVIC_TOTAL_QUERY_LIMIT; core.yaml's default 100000 when unset.
# A small value lets tests show what happens to queries that reach it.
total_query_limit() {
  local limit="${CIVIC_TOTAL_QUERY_LIMIT:-100000}"
  if [[ ! "${limit}" =~ ^[1-9][0-9]{0,8}$ ]]; then
    log_error "CIVIC_TOTAL_QUERY_LIMIT must be a positive whole number of results, not '${limit}'"
    return 1
  fi
  printf '%s\n' "${limit}"
}

# start_peer ORG [N]: the org's peer N (default 0; gateway on, LevelDB, TLS, operations
# endpoint, no Docker: chaincode is built and launched by the node external builder;
# with CIVIC_PEER_PPROF=true, Go's pprof server on a free port of the node host, which
# `ss -ltnp` shows beside the peer's pid),
# gossip bootstrapped from the org's other peers, waited on until healthy.
start_peer() {
  local org="$1" n="${2:-0}" dir tls host data endpoint limit role name
  limit="$(total_query_limit)" || return 1
  dir="$(peer_dir "${org}" "${n}")"
  tls="${dir}/tls"
  host="$(node_host "${org}")"
  role="$(peer_role "${n}")"
  name="$(peer_node_name "${org}" "${n}")"
  data="$(node_data_dir "${name}")"
  endpoint="$(peer_endpoint "${org}" "${n}")"
  mkdir -p "${data}"
  start_node "${name}" env \
    FABRIC_CFG_PATH="$(fabric_config_dir)" \
    FABRIC_LOGGING_SPEC="${CIVIC_LOGGING_SPEC:-info}" FABRIC_LOGGING_FORMAT="${LOG_FORMAT}" \
    CORE_PEER_ID="peer${n}.${org}" \
    CORE_PEER_ADDRESS="${endpoint}" \
    CORE_PEER_LISTENADDRESS="${endpoint}" \
    CORE_PEER_CHAINCODEADDRESS="${host}:$(port_of "${org}" "${role}_chaincode")" \
    CORE_PEER_CHAINCODELISTENADDRESS="${host}:$(port_of "${org}" "${role}_chaincode")" \
    CORE_PEER_GOSSIP_BOOTSTRAP="$(gossip_bootstrap "${org}" "${n}")" \
    CORE_PEER_GOSSIP_EXTERNALENDPOINT="${endpoint}" \
    CORE_PEER_LOCALMSPID="$(org_msp "${org}")" \
    CORE_PEER_MSPCONFIGPATH="${dir}/msp" \
    CORE_PEER_TLS_ENABLED=true \
    CORE_PEER_TLS_CERT_FILE="${tls}/server.crt" \
    CORE_PEER_TLS_KEY_FILE="${tls}/server.key" \
    CORE_PEER_TLS_ROOTCERT_FILE="${tls}/ca.crt" \
    CORE_PEER_FILESYSTEMPATH="${data}" \
    CORE_PEER_GATEWAY_ENABLED=true \
    CORE_LEDGER_STATE_STATEDATABASE=goleveldb \
    CORE_LEDGER_HISTORY_ENABLEHISTORYDATABASE=true \
    CORE_LEDGER_STATE_TOTALQUERYLIMIT="${limit}" \
    CORE_LEDGER_SNAPSHOTS_ROOTDIR="${data}/snapshots" \
    CORE_OPERATIONS_LISTENADDRESS="${host}:$(port_of "${org}" "${role}_ops")" \
    CORE_METRICS_PROVIDER=prometheus \
    CORE_PEER_PROFILE_ENABLED="${CIVIC_PEER_PPROF:-false}" \
    CORE_PEER_PROFILE_LISTENADDRESS="${host}:0" \
    CORE_VM_ENDPOINT="" \
    CORE_CHAINCODE_EXTERNALBUILDERS="$(external_builders_json)" \
    CORE_CHAINCODE_LOGGING_LEVEL="${CIVIC_CHAINCODE_LOGGING:-info}" \
    "$(find_tool peer)" node start
  wait_healthy "${name}" "http://${host}:$(port_of "${org}" "${role}_ops")/healthz" 60 "$(port_of "${org}" "${role}")"
}

# metric NODE_OPS_URL NAME LABEL: the value of one Prometheus metric sample
# (e.g. ledger_blockchain_height with channel="civic"); empty when absent or when the
# node does not answer. The page is read whole before it is searched: piped straight
# into a search that stops at the first match, curl fails writing the rest of a large
# page (exit 23) and, under pipefail, a value that was found would read as a failure.
metric() {
  local page
  page="$(curl -fsS --max-time 2 "$1/metrics" 2>/dev/null)" || return 0
  awk -v name="$2" -v label="$3" '$1 ~ "^"name"[{]" && index($1, label) { print $2; exit }' <<<"${page}"
}

# home_peers: "ORG N" for every peer of this network home, a line each (each org's
# first peer, then its fully added further peers).
home_peers() {
  local org n
  for org in "${ORGS[@]}"; do
    printf '%s 0\n' "${org}"
    for n in $(added_peer_numbers "${org}"); do printf '%s %s\n' "${org}" "${n}"; done
  done
}

# wait_channel_membership SECONDS: until each peer of this home counts all the others
# among the channel's gossip members (its gossip_membership_total_peers_known gauge,
# refreshed every 5 s). Before that a gateway's discovery may not find peers enough
# for the endorsement policy: after a restart, a peer reaches another org's anchor peer
# only on its next gossip reconnect, up to 25 s later, and submits meanwhile fail with
# "no combination of peers can be derived which satisfy the endorsement policy".
wait_channel_membership() {
  local limit="${1:-120}" deadline peers expected lagging entry org n url known
  deadline=$((SECONDS + limit))
  mapfile -t peers < <(home_peers)
  expected=$((${#peers[@]} - 1))
  ((expected > 0)) || return 0
  while :; do
    lagging=()
    for entry in "${peers[@]}"; do
      read -r org n <<<"${entry}"
      url="http://$(node_host "${org}"):$(port_of "${org}" "$(peer_role "${n}")_ops")"
      # Absent until the peer's first membership count, and unreadable while it starts.
      known="$(metric "${url}" gossip_membership_total_peers_known "channel=\"${CHANNEL_NAME}\"")"
      [[ "${known}" =~ ^[0-9]+$ ]] || known=0
      ((known >= expected)) || lagging+=("peer${n}.${org} knows ${known}")
    done
    if ((${#lagging[@]} == 0)); then
      log_info "every peer counts the other ${expected} among the gossip members of channel '${CHANNEL_NAME}'"
      return 0
    fi
    ((SECONDS < deadline)) || break
    sleep 1
  done
  log_error "after ${limit}s not every peer sees the other ${expected} on '${CHANNEL_NAME}' (${lagging[*]}); cross-org endorsements may fail until they do. The peers' logs say whom they cannot reach ('Membership view has changed', 'Failed connecting to')"
  return 1
}
