# Shared by scripts/run, scripts/test and scripts/bench: system packages and a private PostgreSQL.
# Source it; it defines functions only.

# Installs the Debian packages the project needs when any is missing: libmongoc for the MongoDB read
# models (built in, used when MONGODB_URI is set), libqrencode for the tickets' QR codes, python3-mockupdb and python3-mongomock for its tests,
# python3-venv for Schemathesis (scripts/fuzz).
ensure_system_packages() {
  local needed=(postgresql postgresql-contrib curl ca-certificates pkg-config libmongoc-dev libqrencode-dev python3-mockupdb python3-mongomock
                python3-venv)
  local missing=()
  for package in "${needed[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo ">> installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The newest installed PostgreSQL server binaries.
pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Runs a PostgreSQL tool as the postgres user when we are root (initdb refuses root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A TCP port nobody listens on, starting from $1. Never one in the kernel's ephemeral range: there a port nobody
# listens on can still be bound by a client socket (or one closing), and the server's bind then fails.
free_port() {
  local port=${1:-25432} low=32768 high=60999
  read -r low high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  while :; do
    if [ "$port" -ge "$low" ] && [ "$port" -le "$high" ]; then port=$((high + 1)); fi
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null || break
    port=$((port + 1))
  done
  echo "$port"
}

# start_postgres DIR PORT DB [extra server options]: initdb DIR if new, start it on 127.0.0.1:PORT, create DB,
# export DATABASE_URL. Trust auth on loopback only: this server is private to the machine's user.
start_postgres() {
  local dir=$1 port=$2 db=$3; shift 3
  local bin; bin=$(pg_bin)
  [ -n "$bin" ] || { echo "PostgreSQL server binaries not found" >&2; return 1; }
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir" -U boxoffice --auth=trust -E UTF8 >"$dir.initdb.log" 2>&1 \
      || { cat "$dir.initdb.log" >&2; return 1; }
  fi
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=300 $*" start >/dev/null \
    || { cat "$dir/server.log" >&2; return 1; }
  as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U boxoffice -d postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
    || as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U boxoffice "$db"
  export DATABASE_URL="postgres://boxoffice@127.0.0.1:$port/$db?sslmode=disable"
  export PG_DATA_DIR="$dir" PG_PORT="$port"
}

stop_postgres() {
  local dir=$1
  [ -f "$dir/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

# Schemathesis (PyPI), pinned so that a run means the same thing tomorrow, in a virtualenv of its own
# (Debian's Python refuses system-wide pip installs). ensure_schemathesis VENV installs it once.
SCHEMATHESIS_VERSION=4.32.5
ensure_schemathesis() {
  local venv=$1 python=/usr/bin/python3
  [ -x "$python" ] || python=python3
  if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    echo ">> installing schemathesis $SCHEMATHESIS_VERSION into $venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
}
