# shellcheck shell=bash
# The civic chaincode as a standard node chaincode package source: what
# `peer lifecycle chaincode package --lang node` packs and the node external
# builder (network/builders/node) builds on each peer.

# stage_chaincode_source DEST: build the chaincode workspace and lay out DEST as a
# self-contained node package: package.json (runtime dependencies only, `npm start`
# = fabric-chaincode-node start), compiled dist/, and a package-lock.json so every
# peer installs identical dependencies.
stage_chaincode_source() {
  local dest="$1" src="${REPO_DIR}/chaincode"
  (cd "${REPO_DIR}" && npm run build --silent -w chaincode) || return 1
  rm -rf "${dest}"
  mkdir -p "${dest}"
  cp -a "${src}/dist" "${dest}/dist"
  jq 'del(.scripts.build, .devDependencies, .types) | .scripts.start = "fabric-chaincode-node start"' \
    "${src}/package.json" >"${dest}/package.json"
  (cd "${dest}" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) || return 1
}
