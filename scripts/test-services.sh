# Sourced by ./dev test: make sure what the tests need is there, installing it when missing
# (CI may start on a fresh Debian machine). Everything here is idempotent and quick when the
# services are already up.

_apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing: $* (install it, or run ./dev test as root on Debian/Ubuntu)" >&2
    return 1
  fi
  echo "Installing $* …"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}

# ODK Validate (shipped in pyxform) is a Java program.
ensure_java() {
  command -v java >/dev/null 2>&1 || _apt_install default-jre-headless
}

_postgres_answers() {
  .venv/bin/python - "$RASOAT_TEST_POSTGRES_URL" <<'PY' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1].replace("+psycopg", ""), connect_timeout=3).close()
PY
}

# The tests create (and drop) their own database on this server.
ensure_postgres() {
  export RASOAT_TEST_POSTGRES_URL=${RASOAT_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
  _postgres_answers && return 0
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    _apt_install postgresql || return 1
  fi
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || { echo "PostgreSQL is installed but has no cluster" >&2; return 1; }
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  for _ in $(seq 1 30); do _postgres_answers && return 0; sleep 1; done
  # A cluster fresh from Debian asks for a password over TCP: give the test user one.
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'rasoat-test'" >/dev/null
    export RASOAT_TEST_POSTGRES_URL=postgresql+psycopg://postgres:rasoat-test@127.0.0.1:5432/postgres
    _postgres_answers && return 0
  fi
  echo "PostgreSQL does not answer at $RASOAT_TEST_POSTGRES_URL" >&2
  return 1
}

# The form-engine test client (tests/support/engine.py) runs ODK's own engine in Node.js, with
# the exact npm packages of tests/support/engine/package-lock.json. npm ci leaves
# node_modules/.package-lock.json behind; an install older than the lock file is redone.
ensure_node_packages() {
  local dir=tests/support/engine
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    _apt_install nodejs npm || return 1
  fi
  if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
     [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "Installing the form engine's npm packages …"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
      { echo "npm ci failed in $dir" >&2; return 1; }
  fi
}

# The browser tests (tests/browser) drive Debian's Chromium through Playwright, which is told
# where it is; Playwright's own browser downloads are never used.
ensure_chromium() {
  [ -x /usr/bin/chromium ] || _apt_install chromium
}

# The web form's bundle (webform/dist: ODK Web Forms and our page code, hashed by Vite) is
# built from the exact npm packages of webform/package-lock.json, and built again whenever a
# source file, the lock file or the build configuration is newer than the last build.
ensure_webform_bundle() {
  local dir=webform stamp=webform/dist/.vite/manifest.json
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    _apt_install nodejs npm || return 1
  fi
  if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
     [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "Installing the web form's npm packages …"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
      { echo "npm ci failed in $dir" >&2; return 1; }
    rm -f "$stamp"
  fi
  if [ ! -f "$stamp" ] ||
     [ -n "$(find "$dir/src" "$dir/package-lock.json" "$dir/vite.config.js" "$dir/compress.mjs" \
                -newer "$stamp" -print -quit)" ]; then
    echo "Building the web form …"
    (cd "$dir" && npm run --silent build >/dev/null) ||
      { echo "the web form's build failed in $dir (npm run build)" >&2; return 1; }
  fi
}
