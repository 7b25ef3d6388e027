# shellcheck shell=bash
# The `civic` application channel: configtx.yaml from the orgs' MSPs and node
# addresses, the genesis block from configtxgen, each orderer joined through the
# channel participation API (osnadmin; there is no system channel), a Raft
# leader awaited, then every peer joined.
#
# Block cutting (BatchTimeout 250ms, MaxMessageCount 100): a lone interactive
# submit waits for the batch timeout before its block is cut, so the samples'
# 2 s would make every clerk's command take over 2 s. 250 ms keeps a submit
# well under a second while still letting a burst share one block; under load
# blocks are cut by count (100 transactions ~ 250 ms at 400 TPS) long before
# the timeout. The byte limits stay at Fabric's defaults (PreferredMaxBytes
# 512 KB, AbsoluteMaxBytes 99 MB) so a large transaction is never refused by
# this network when a default Fabric network would take it.

CHANNEL_NAME=civic
CHANNEL_DIR_NAME=channel
BATCH_TIMEOUT="${CIVIC_BATCH_TIMEOUT:-250ms}"
BATCH_MAX_MESSAGES="${CIVIC_BATCH_MAX_MESSAGES:-100}"

channel_dir() { printf '%s\n' "${CIVIC_NETWORK_HOME}/${CHANNEL_DIR_NAME}"; }
genesis_block() { printf '%s\n' "$(channel_dir)/${CHANNEL_NAME}.genesis.block"; }

# org_policies_yaml MSP [ORDERER_ORG]: the org's Readers/Writers/Admins/Endorsement
# policies over NodeOU roles (orderers read so that they can replicate blocks). As an
# orderer org (ORDERER_ORG=1) its orderers are writers too: an orderer signs the config
# envelope it makes of a config update and checks that signature against
# /Channel/Orderer/Writers (fabric orderer/common/msgprocessor/standardchannel.go,
# "did not pass final checks"), so without it no config update is ever accepted.
org_policies_yaml() {
  local m="$1" writers="'${1}.admin', '${1}.client'"
  [[ "${2:-0}" == 1 ]] && writers+=", '${1}.orderer'"
  cat <<YAML
    Policies:
      Readers: {Type: Signature, Rule: "OR('${m}.admin', '${m}.peer', '${m}.client', '${m}.orderer')"}
      Writers: {Type: Signature, Rule: "OR(${writers})"}
      Admins: {Type: Signature, Rule: "OR('${m}.admin')"}
      Endorsement: {Type: Signature, Rule: "OR('${m}.peer')"}
YAML
}

# org_entry_yaml ORG [ORDERER_ORG]: the org's entry under Organizations in configtx.yaml:
# its MSP folder (public certificates only), policies and anchor peer; with ORDERER_ORG=1
# its entry for the Orderer group (anchor <MSP>Orderer, orderers among its writers).
org_entry_yaml() {
  local org="$1" as_orderer="${2:-0}" msp anchor
  msp="$(org_msp "${org}")"
  anchor="${msp}"
  [[ "${as_orderer}" == 1 ]] && anchor="${msp}Orderer"
  cat <<YAML
  - &${anchor}
    Name: ${msp}
    ID: ${msp}
    MSPDir: $(org_dir "${org}")/msp
$(org_policies_yaml "${msp}" "${as_orderer}")
    AnchorPeers:
      - {Host: $(node_host "${org}"), Port: $(port_of "${org}" peer)}
YAML
}

# meta_policies_yaml INDENT: the Readers/Writers/Admins policies every config group has,
# over its sub-groups (any reader, any writer, a majority of admins).
meta_policies_yaml() {
  local pad="$1"
  printf '%sReaders: {Type: ImplicitMeta, Rule: ANY Readers}\n' "${pad}"
  printf '%sWriters: {Type: ImplicitMeta, Rule: ANY Writers}\n' "${pad}"
  printf '%sAdmins: {Type: ImplicitMeta, Rule: MAJORITY Admins}\n' "${pad}"
}

# write_configtx FILE: the channel's configtx.yaml (profile CivicChannel).
write_configtx() {
  local out="$1" org msp orderer_signers=()
  {
    echo "Organizations:"
    for org in "${ORGS[@]}"; do
      msp="$(org_msp "${org}")"
      orderer_signers+=("'${msp}.orderer'")
      org_entry_yaml "${org}"
      org_entry_yaml "${org}" 1
      printf '    OrdererEndpoints: ["%s"]\n' "$(orderer_endpoint "${org}")"
    done
    local signers
    signers="$(
      IFS=,
      echo "${orderer_signers[*]}"
    )"
    cat <<YAML
Profiles:
  CivicChannel:
    Capabilities: {V3_0: true}
    Policies:
$(meta_policies_yaml '      ')
    Orderer:
      OrdererType: etcdraft
      BatchTimeout: ${BATCH_TIMEOUT}
      BatchSize: {MaxMessageCount: ${BATCH_MAX_MESSAGES}, AbsoluteMaxBytes: 99 MB, PreferredMaxBytes: 512 KB}
      Capabilities: {V2_0: true}
      EtcdRaft:
        Options: {TickInterval: 500ms, ElectionTick: 10, HeartbeatTick: 1, MaxInflightBlocks: 5, SnapshotIntervalSize: 16 MB}
        Consenters:
YAML
    for org in "${ORGS[@]}"; do
      local tls
      tls="$(org_dir "${org}")/orderer/tls/server.crt"
      printf '          - {Host: %s, Port: %s, ClientTLSCert: %s, ServerTLSCert: %s}\n' \
        "$(node_host "${org}")" "$(port_of "${org}" orderer)" "${tls}" "${tls}"
    done
    echo "      Organizations:"
    for org in "${ORGS[@]}"; do printf '        - *%sOrderer\n' "$(org_msp "${org}")"; done
    cat <<YAML
      Policies:
$(meta_policies_yaml '        ')
        BlockValidation: {Type: Signature, Rule: "OR(${signers})"}
    Application:
      Capabilities: {V2_5: true}
      Organizations:
YAML
    for org in "${ORGS[@]}"; do printf '        - *%s\n' "$(org_msp "${org}")"; done
    cat <<YAML
      Policies:
$(meta_policies_yaml '        ')
        LifecycleEndorsement: {Type: ImplicitMeta, Rule: MAJORITY Endorsement}
        Endorsement: {Type: ImplicitMeta, Rule: MAJORITY Endorsement}
YAML
  } >"${out}"
}

# create_genesis_block: configtx.yaml and the channel's genesis block, once.
create_genesis_block() {
  local dir block
  dir="$(channel_dir)"
  block="$(genesis_block)"
  [[ -s "${block}" ]] && return 0
  mkdir -p "${dir}"
  write_configtx "${dir}/configtx.yaml"
  "$(find_tool configtxgen)" -configPath "${dir}" -profile CivicChannel -channelID "${CHANNEL_NAME}" \
    -outputBlock "${block}.tmp" 2>"${dir}/configtxgen.log" || {
    log_error "configtxgen failed: $(tail -n 3 "${dir}/configtxgen.log")"
    return 1
  }
  mv "${block}.tmp" "${block}"
  log_info "genesis block of '${CHANNEL_NAME}' written (${block})"
}

# osnadmin_as_admin ORG ARGS...: the channel participation API of ORG's orderer,
# as ORG's admin over mutual TLS.
osnadmin_as_admin() {
  local org="$1" tls
  shift
  tls="${CIVIC_WALLET}/${org}/admin/tls"
  "$(find_tool osnadmin)" channel "$@" -o "$(node_host "${org}"):$(port_of "${org}" orderer_admin)" \
    --ca-file "$(org_dir "${org}")/orderer/tls/ca.crt" --client-cert "${tls}/server.crt" --client-key "${tls}/server.key"
}

# join_orderer ORG: join ORG's orderer to the channel unless it already serves it.
join_orderer() {
  local org="$1" out
  # osnadmin exits 0 whatever the API answers; its first line is the HTTP status.
  out="$(osnadmin_as_admin "${org}" list --channelID "${CHANNEL_NAME}" 2>&1)" || true
  [[ "${out}" == "Status: 200"* ]] && return 0
  out="$(osnadmin_as_admin "${org}" join --channelID "${CHANNEL_NAME}" --config-block "$(genesis_block)" 2>&1)" || true
  if [[ "${out}" != "Status: 201"* ]]; then
    log_error "orderer-${org} could not join '${CHANNEL_NAME}': $(tr -s '\n\t' '  ' <<<"${out}")"
    return 1
  fi
  log_info "orderer-${org} joined '${CHANNEL_NAME}'"
}

# raft_leader: the org whose orderer is the channel's Raft leader; 1 when none.
raft_leader() {
  local org
  for org in "${ORGS[@]}"; do
    if [[ "$(metric "http://$(node_host "${org}"):$(port_of "${org}" orderer_ops)" consensus_etcdraft_is_leader "channel=\"${CHANNEL_NAME}\"")" == 1 ]]; then
      printf '%s\n' "${org}"
      return 0
    fi
  done
  return 1
}

# wait_raft_leader SECONDS: wait until the consenters have elected a leader.
wait_raft_leader() {
  local deadline=$((SECONDS + ${1:-60})) leader
  while ((SECONDS < deadline)); do
    if leader="$(raft_leader)"; then
      log_info "Raft leader of '${CHANNEL_NAME}': orderer-${leader}"
      return 0
    fi
    sleep 0.5
  done
  log_error "no Raft leader for '${CHANNEL_NAME}' after ${1:-60}s; see ${LOGS_DIR}/orderer-*.log"
  return 1
}

# peer_as_admin ORG ARGS...: the peer CLI against ORG's first peer as ORG's admin.
peer_as_admin() {
  local org="$1"
  shift
  peer_as_admin_on "${org}" 0 "$@"
}

# peer_as_admin_on ORG N ARGS...: the peer CLI against ORG's peer N as ORG's admin.
peer_as_admin_on() {
  local org="$1" n="$2"
  shift 2
  env FABRIC_CFG_PATH="$(fabric_config_dir)" \
    FABRIC_LOGGING_SPEC=warning \
    CORE_PEER_LOCALMSPID="$(org_msp "${org}")" \
    CORE_PEER_MSPCONFIGPATH="${CIVIC_WALLET}/${org}/admin/msp" \
    CORE_PEER_ADDRESS="$(peer_endpoint "${org}" "${n}")" \
    CORE_PEER_TLS_ENABLED=true \
    CORE_PEER_TLS_ROOTCERT_FILE="$(org_dir "${org}")/peer/tls/ca.crt" \
    "$(find_tool peer)" "$@"
}

# join_peer ORG [N]: join ORG's peer N (default 0) to the channel from the genesis block, once.
join_peer() {
  local org="$1" n="${2:-0}" out name
  name="$(peer_node_name "${org}" "${n}")"
  if peer_as_admin_on "${org}" "${n}" channel getinfo -c "${CHANNEL_NAME}" >/dev/null 2>&1; then
    return 0
  fi
  [[ -s "$(genesis_block)" ]] || {
    log_error "the genesis block of '${CHANNEL_NAME}' is not in $(genesis_block); a member's admin writes it with 'civic channel genesis --out FILE'"
    return 1
  }
  out="$(peer_as_admin_on "${org}" "${n}" channel join -b "$(genesis_block)" 2>&1)" || {
    log_error "${name} could not join '${CHANNEL_NAME}': ${out}"
    return 1
  }
  log_info "${name} joined '${CHANNEL_NAME}'"
}

# peer_height ORG: the peer's block height on the channel (from its metrics); empty when unknown.
peer_height() {
  metric "http://$(node_host "$1"):$(port_of "$1" peer_ops)" ledger_blockchain_height "channel=\"${CHANNEL_NAME}\""
}
