# shellcheck shell=bash
# The civic chaincode as a standard node chaincode package source: what
# `peer lifecycle chaincode package --lang node` packs and the node external
# builder (network/builders/node) builds on each peer.

# stage_chaincode_source DEST: build the chaincode's source folder (CHAINCODE_SRC, a node
# package with a `build` script that compiles to dist/) and lay out DEST as a
# self-contained node package: package.json (runtime dependencies only, `npm start`
# = fabric-chaincode-node start), compiled dist/, and a package-lock.json so every
# peer installs identical dependencies (resolved from npm's cache when it holds
# them, so an org's host without a route to the registry can package too).
stage_chaincode_source() {
  local dest="$1" src="${CHAINCODE_SRC}"
  if [[ "${src}" == "${REPO_DIR}/chaincode" ]]; then
    (cd "${REPO_DIR}" && npm run build --silent -w chaincode) || return 1
  else
    (cd "${src}" && npm run build --silent) || return 1
  fi
  rm -rf "${dest}"
  mkdir -p "${dest}"
  cp -a "${src}/dist" "${dest}/dist"
  jq 'del(.scripts.build, .devDependencies, .types) | .scripts.start = "fabric-chaincode-node start"' \
    "${src}/package.json" >"${dest}/package.json"
  (cd "${dest}" && npm install --package-lock-only --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) || return 1
}

# The chaincode definition: name, an explicit endorsement policy (a majority of
# the channel's member orgs' peers), and the private data collections of the debt contract.
# use_chaincode (network.sh deploy-chaincode) switches these to another chaincode.
CHAINCODE_NAME=civic
CHAINCODE_SRC="${REPO_DIR}/chaincode"
COLLECTIONS_CONFIG="${REPO_DIR}/chaincode/collections_config.json"

# use_chaincode NAME DIR: make the functions below act on another chaincode: NAME on the
# channel, its node package source in DIR (relative to the repo or absolute), the same
# majority endorsement policy and no private data collections. For test-only chaincode
# (test/chaincode/probe); the civic chaincode is the default and needs no call.
use_chaincode() {
  local name="${1:-}" dir="${2:-}"
  [[ "${name}" =~ ^[a-z][a-z0-9_-]{0,31}$ ]] || {
    log_error "chaincode name '${name}' must be 1 to 32 characters of a-z 0-9 _ -, starting with a letter"
    return 2
  }
  [[ "${name}" != civic ]] || {
    log_error "'civic' is deployed by 'network.sh deploy', with its collections"
    return 2
  }
  [[ "${dir}" == /* ]] || dir="${REPO_DIR}/${dir}"
  [[ -f "${dir}/package.json" ]] || {
    log_error "no node package at '${dir}' (expected ${dir}/package.json with a build script)"
    return 2
  }
  CHAINCODE_NAME="${name}"
  CHAINCODE_SRC="$(cd "${dir}" && pwd)"
  COLLECTIONS_CONFIG=""
}

chaincode_dir() {
  if [[ "${CHAINCODE_NAME}" == civic ]]; then
    printf '%s\n' "${CIVIC_NETWORK_HOME}/chaincode"
  else
    printf '%s\n' "${CIVIC_NETWORK_HOME}/chaincode-${CHAINCODE_NAME}"
  fi
}

# package_chaincode: the standard node chaincode package (`peer lifecycle
# chaincode package --lang node`) of the current sources; prints its path.
package_chaincode() {
  local dir version label pkg
  dir="$(chaincode_dir)"
  mkdir -p "${dir}"
  stage_chaincode_source "${dir}/src" >&2 || return 1
  version="$(jq -r .version "${CHAINCODE_SRC}/package.json")"
  label="${CHAINCODE_NAME}_${version}"
  pkg="${dir}/${label}.tar.gz"
  FABRIC_CFG_PATH="$(fabric_config_dir)" "$(find_tool peer)" lifecycle chaincode package "${pkg}" --path "${dir}/src" --lang node --label "${label}" >&2 || return 1
  printf '%s\n' "${pkg}"
}

# committed_definition: the committed chaincode definition as JSON (peer's
# querycommitted output), or nothing when none is committed.
committed_definition() {
  peer_as_admin "${ORGS[0]}" lifecycle chaincode querycommitted --channelID "${CHANNEL_NAME}" \
    --name "${CHAINCODE_NAME}" --output json 2>/dev/null || true
}

# install_on_peer ORG PACKAGE PACKAGE_ID [N]: install on ORG's peer N (default 0) unless
# it already has it (the peer runs the node external builder's detect and build here).
install_on_peer() {
  local org="$1" pkg="$2" id="$3" n="${4:-0}" out name
  name="$(peer_node_name "${org}" "${n}")"
  if peer_as_admin_on "${org}" "${n}" lifecycle chaincode queryinstalled --output json 2>/dev/null |
    jq -e --arg id "${id}" '.installed_chaincodes // [] | any(.package_id == $id)' >/dev/null; then
    log_info "${name}: ${id} already installed"
    return 0
  fi
  out="$(peer_as_admin_on "${org}" "${n}" lifecycle chaincode install "${pkg}" 2>&1)" || {
    log_error "install on ${name} failed: ${out}"
    return 1
  }
  log_info "${name}: installed ${id}"
}

# endorsement_policy: a majority of the peers of the channel's member orgs (from the
# latest config block, so an org that joined counts), founding orgs first, e.g.
# OutOf(2, 'CityMSP.peer', 'AgenciesMSP.peer', 'UtilitiesMSP.peer'); with a fourth org, OutOf(3, ...).
endorsement_policy() {
  local members=() ordered=() org msp principals
  mapfile -t members < <(channel_member_msps) || return 1
  ((${#members[@]} > 0)) || {
    log_error "the config of '${CHANNEL_NAME}' names no application orgs"
    return 1
  }
  for org in "${FOUNDING_ORGS[@]}"; do
    msp="$(org_msp "${org}")"
    [[ " ${members[*]} " == *" ${msp} "* ]] && ordered+=("${msp}")
  done
  for msp in "${members[@]}"; do
    [[ " ${ordered[*]} " == *" ${msp} "* ]] || ordered+=("${msp}")
  done
  principals="$(printf "'%s.peer', " "${ordered[@]}")"
  printf 'OutOf(%s, %s)\n' "$((${#ordered[@]} / 2 + 1))" "${principals%, }"
}

# definition_args VERSION SEQUENCE POLICY: the arguments every org must approve identically.
definition_args() {
  printf '%s\n' --channelID "${CHANNEL_NAME}" --name "${CHAINCODE_NAME}" --version "$1" --sequence "$2" --signature-policy "$3"
  [[ -z "${COLLECTIONS_CONFIG}" ]] || printf '%s\n' --collections-config "${COLLECTIONS_CONFIG}"
}

# orderer_args ORG: where ORG's admin sends lifecycle transactions (its own orderer).
orderer_args() {
  printf '%s\n' -o "$(orderer_endpoint "$1")" --tls --cafile "$(org_dir "$1")/orderer/tls/ca.crt"
}

# deploy_chaincode: package, install on every peer (added ones too), approve by every org and
# commit the next sequence of the civic chaincode definition. An org that joined
# the channel approves from its own host ('civic org approve'); the founders'
# approvals are a majority of four, enough for LifecycleEndorsement to commit. On a running
# network this is an upgrade: state is kept, the sequence goes up by one.
deploy_chaincode() {
  local pkg id version sequence org out committed policy
  policy="$(endorsement_policy)" || return 1
  pkg="$(package_chaincode)" || return 1
  id="$(peer_as_admin "${ORGS[0]}" lifecycle chaincode calculatepackageid "${pkg}")" || return 1
  committed="$(committed_definition)"
  sequence=$(($(jq -r '.sequence // 0' <<<"${committed:-{\}}") + 1))
  version="$(jq -r .version "${CHAINCODE_SRC}/package.json")-${id##*:}"
  version="${version:0:24}"
  # Another chaincode (use_chaincode) already committed with this very package: nothing to do.
  if [[ "${CHAINCODE_NAME}" != civic && "$(jq -r '.version // empty' <<<"${committed:-{\}}")" == "${version}" ]]; then
    log_info "${CHAINCODE_NAME} version ${version} (package ${id}) already committed at sequence $((sequence - 1))"
    return 0
  fi
  # Every peer (each org's first and any added with 'civic peer add') builds the package
  # (npm ci) at the same time.
  local pids=() failed=0 pid n
  for org in "${ORGS[@]}"; do
    for n in 0 $(added_peer_numbers "${org}"); do
      install_on_peer "${org}" "${pkg}" "${id}" "${n}" &
      pids+=("$!")
    done
  done
  for pid in "${pids[@]}"; do wait "${pid}" || failed=1; done
  ((failed == 0)) || return 1
  mapfile -t def < <(definition_args "${version}" "${sequence}" "${policy}")
  for org in "${ORGS[@]}"; do
    mapfile -t ord < <(orderer_args "${org}")
    out="$(peer_as_admin "${org}" lifecycle chaincode approveformyorg "${ord[@]}" "${def[@]}" --package-id "${id}" 2>&1)" || {
      log_error "approval by $(org_msp "${org}") failed: ${out}"
      return 1
    }
    log_info "$(org_msp "${org}") approved ${CHAINCODE_NAME} sequence ${sequence}"
  done
  local peers=()
  for org in "${ORGS[@]}"; do
    peers+=(--peerAddresses "$(peer_endpoint "${org}")" --tlsRootCertFiles "$(org_dir "${org}")/peer/tls/ca.crt")
  done
  mapfile -t ord < <(orderer_args "${ORGS[0]}")
  out="$(peer_as_admin "${ORGS[0]}" lifecycle chaincode commit "${ord[@]}" "${def[@]}" "${peers[@]}" 2>&1)" || {
    log_error "commit of ${CHAINCODE_NAME} sequence ${sequence} failed: ${out}"
    return 1
  }
  log_info "committed ${CHAINCODE_NAME} version ${version} sequence ${sequence} (endorsement: ${policy})"
}
