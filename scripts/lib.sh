# Shared shell helpers for ./run and ./test: sourced, never executed.
# Everything here is idempotent: a step is skipped when its result is already in place.

# The repo root, whatever directory the caller started in.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m[%s]\033[0m %s\n' "${LOG_TAG:-checkout}" "$*" >&2; }

# npm_ci_if_needed DIR: `npm ci` in DIR when node_modules is missing or package-lock.json changed
# since the last install (a hash stamp inside node_modules remembers which lockfile it came from).
npm_ci_if_needed() {
  local dir="$REPO_ROOT/$1"
  local stamp="$dir/node_modules/.lock-sha256"
  local want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "npm ci in $1"
  # Browsers come from Debian, never from a Playwright or Puppeteer download.
  (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

# build_spa: the release SPA into dist/. Trunk must never download a tool: wasm-bindgen comes from
# ~/.cargo/bin (scripts/install-tools) and wasm-opt from tools/node_modules/.bin (npm binaryen).
build_spa() {
  npm_ci_if_needed tools
  log "trunk build --release (dist/)"
  (cd "$REPO_ROOT" && PATH="$REPO_ROOT/tools/node_modules/.bin:$PATH" TRUNK_OFFLINE=true \
    trunk build --release)
  # trunk empties dist/ on every build, so the compressed siblings are always fresh.
  log "precompressing dist/ (.br, .gz)"
  node "$REPO_ROOT/tools/precompress.mjs" "$REPO_ROOT/dist"
}

# build_server: the release checkout-server binary.
build_server() {
  log "cargo build --release -p checkout-server"
  (cd "$REPO_ROOT" && cargo build --release -p checkout-server)
}
