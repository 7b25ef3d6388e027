#!/usr/bin/env bash
# The README's main command: set up a fresh machine, bring the network up with
# the civic chaincode deployed, and run a short scenario through the CLI.
# The network stays up afterwards (`npx civic network down` stops it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*" >&2; }
civic() {
  printf '$ civic %s\n' "$*" >&2
  node cli/bin/civic.js "$@"
}

step "npm packages and build"
npm ci --no-audit --no-fund
npm run build

step "network (Fabric binaries, CAs, orderers, peers, channel, chaincode)"
civic network up
civic network status

step "scenario: a citizen's DID"
keys="$(mktemp -d)"
# Citizen key files are encrypted under a passphrase; a script supplies it here.
export CIVIC_KEY_PASSPHRASE="${CIVIC_KEY_PASSPHRASE:-demo passphrase, not for real keys}"
civic identity keygen --out "${keys}/alice.key.json"
did="$(jq -r .did "${keys}/alice.key.json")"
civic --org agencies --user clerk identity register --key "${keys}/alice.key.json"
civic --org utilities --user auditor identity resolve "${did}"
civic identity keygen --out "${keys}/alice-2.key.json"
civic --org city --user clerk identity rotate --key "${keys}/alice.key.json" --new-key "${keys}/alice-2.key.json"
if civic --org city --user auditor identity register --key "${keys}/alice-2.key.json"; then
  echo "error: an auditor was able to register a DID" >&2
  exit 1
fi
civic --org agencies --user clerk identity deactivate --key "${keys}/alice-2.key.json"
civic --org city identity resolve "${did}"

# land, allocation, debt and petition: one short story each
# shellcheck source-path=SCRIPTDIR source=demo-story.sh
source scripts/demo-story.sh

step "audit: every org's peer at one height, and the chain recomputed with its orderer signatures checked on each"
civic --org utilities --user auditor ledger info
civic --org utilities --user auditor ledger verify
step "done: the network is still running (npx civic network status | down)"
