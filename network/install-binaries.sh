#!/usr/bin/env bash
# Install the pinned Fabric and Fabric CA binaries into the per-version cache
# outside the repo (network/fabric-version.env pins them).
#
# Sources, in order, for each of the two products:
#   1. binaries already in $FABRIC_BIN, the cache, or on PATH;
#   2. a Go build of the pinned module version from the Go module proxy;
#   3. the official release tarball (for users without Go).
# A second run finds everything in the cache and returns at once.
# Exit status: 0 when every binary is present, 1 otherwise (each failed source
# is reported with its own error).
set -euo pipefail

# shellcheck source=network/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

RELEASE_BASE="https://github.com/hyperledger"

# all_tools_found TOOL...: true when every tool resolves through find_tool.
all_tools_found() {
  local tool
  for tool in "$@"; do
    find_tool "${tool}" >/dev/null || return 1
  done
}

# go_build_pinned MODULE VERSION OUT_DIR LDFLAGS PACKAGE...: build packages of a
# pinned module with the machine's Go. `go install pkg@version` also asks the
# proxy for the module's version list (to look for deprecations) and fails when
# that list is refused, so the packages are built from a throwaway wrapper
# module that requires exactly the pinned version, verified by the module's
# own go.sum and the checksum database.
go_build_pinned() {
  local module="$1" version="$2" out_dir="$3" ldflags="$4"
  shift 4
  command -v go >/dev/null || { log_error "go is not on PATH"; return 1; }
  local work
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: work is local
  trap "rm -rf '${work}'" RETURN
  printf 'module civicledger/build\n\ngo 1.25.0\n\nrequire %s %s\n' "${module}" "${version}" >"${work}/go.mod"
  log_info "go: downloading ${module}@${version}"
  (cd "${work}" && go mod download "${module}@${version}") || return 1
  local mod_dir
  mod_dir="$(cd "${work}" && go list -m -f '{{.Dir}}' "${module}")" || return 1
  cp "${mod_dir}/go.sum" "${work}/go.sum"
  log_info "go: building $* (a few minutes on a small machine)"
  mkdir -p "${out_dir}/bin"
  (cd "${work}" && GOFLAGS=-mod=mod CGO_ENABLED="${CGO_ENABLED:-1}" \
    go build -trimpath -ldflags "${ldflags}" -o "${out_dir}/bin/" "$@") || return 1
  printf 'go build of %s@%s from the Go module proxy (%s, %s)\n' "${module}" "${version}" "$(go version | awk '{print $3}')" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"${out_dir}/SOURCE"
  if [[ -d "${mod_dir}/sampleconfig" ]]; then
    mkdir -p "${out_dir}/config"
    cp "${mod_dir}/sampleconfig/"*.yaml "${out_dir}/config/"
    chmod -R u+w "${out_dir}/config"
  fi
}

# download_release PRODUCT TARBALL OUT_DIR: unpack an official release tarball.
download_release() {
  local product="$1" tarball="$2" out_dir="$3" url
  url="${RELEASE_BASE}/${product}/releases/download/${tarball}"
  log_info "downloading ${url}"
  mkdir -p "${out_dir}"
  curl -fsSL --max-time 300 "${url}" | tar -xz -C "${out_dir}" || return 1
  printf 'release download %s (%s)\n' "${url}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"${out_dir}/SOURCE"
}

install_fabric() {
  if all_tools_found "${FABRIC_TOOLS[@]}"; then
    log_info "Fabric ${FABRIC_VERSION}: found $(find_tool peer)"
    return 0
  fi
  local metadata="github.com/hyperledger/fabric/common/metadata"
  local ldflags="-X ${metadata}.Version=${FABRIC_VERSION} -X ${metadata}.CommitSHA=${FABRIC_COMMIT:0:7}"
  # Only the tools the cache lacks (a cache from before configtxlator was added
  # gets just that one), so binaries that running networks use are never rewritten.
  local pkgs=() tool
  for tool in "${FABRIC_TOOLS[@]}"; do
    find_tool "${tool}" >/dev/null || pkgs+=("github.com/hyperledger/fabric/cmd/${tool}")
  done
  if go_build_pinned github.com/hyperledger/fabric "${FABRIC_MODULE_VERSION}" "${FABRIC_HOME}" "${ldflags}" "${pkgs[@]}"; then
    return 0
  fi
  log_info "Go build of Fabric ${FABRIC_VERSION} failed; trying the release download"
  local arch
  arch="$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')"
  if download_release fabric "v${FABRIC_VERSION}/hyperledger-fabric-linux-${arch}-${FABRIC_VERSION}.tar.gz" "${FABRIC_HOME}"; then
    return 0
  fi
  log_error "Fabric ${FABRIC_VERSION} (commit ${FABRIC_COMMIT}) could not be installed from any source;" \
    "set FABRIC_BIN to a folder holding ${FABRIC_TOOLS[*]} to use your own build"
  return 1
}

install_fabric_ca() {
  if all_tools_found "${FABRIC_CA_TOOLS[@]}"; then
    log_info "Fabric CA ${FABRIC_CA_VERSION}: found $(find_tool fabric-ca-server)"
    return 0
  fi
  local metadata="github.com/hyperledger/fabric-ca/lib/metadata"
  if go_build_pinned github.com/hyperledger/fabric-ca "v${FABRIC_CA_VERSION}" "${FABRIC_CA_HOME_DIR}" \
    "-X ${metadata}.Version=${FABRIC_CA_VERSION}" \
    github.com/hyperledger/fabric-ca/cmd/fabric-ca-server github.com/hyperledger/fabric-ca/cmd/fabric-ca-client; then
    return 0
  fi
  log_info "Go build of Fabric CA ${FABRIC_CA_VERSION} failed; trying the release download"
  local arch
  arch="$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')"
  if download_release fabric-ca "v${FABRIC_CA_VERSION}/hyperledger-fabric-ca-linux-${arch}-${FABRIC_CA_VERSION}.tar.gz" "${FABRIC_CA_HOME_DIR}"; then
    return 0
  fi
  log_error "Fabric CA ${FABRIC_CA_VERSION} could not be installed from any source"
  return 1
}

# lock_cache: hold an exclusive lock on the cache while installing, so that two
# clones or a test run and a demo started together build each binary once (the
# second waits, then finds the first one's binaries) instead of writing the same
# files at the same time. Released when the script exits.
lock_cache() {
  mkdir -p "${CIVIC_CACHE_DIR}"
  exec 9>"${CIVIC_CACHE_DIR}/.install.lock"
  if ! flock -n 9; then
    log_info "another install into ${CIVIC_CACHE_DIR} is running; waiting for it"
    flock 9
  fi
}

main() {
  local what="${1:-all}" rc=0
  lock_cache
  case "${what}" in
    all)
      run_step "Fabric CA ${FABRIC_CA_VERSION} binaries" install_fabric_ca || rc=1
      run_step "Fabric ${FABRIC_VERSION} binaries" install_fabric || rc=1
      ;;
    ca) run_step "Fabric CA ${FABRIC_CA_VERSION} binaries" install_fabric_ca || rc=1 ;;
    fabric) run_step "Fabric ${FABRIC_VERSION} binaries" install_fabric || rc=1 ;;
    *)
      log_error "unknown target '${what}' (expected all, ca or fabric)"
      return 2
      ;;
  esac
  return "${rc}"
}

main "$@"
