# Shared steps of scripts/quickstart and scripts/test. Sourced, not run.
# Works on a fresh Debian bookworm machine as root, and as any user who can sudo-less
# build when the packages are already there.

CHRONICLE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_MAJOR=15
export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config}"
# The server binaries of whichever PostgreSQL PG_CONFIG names (Debian's by default, or a
# private prefix): the extension is installed into it and the clusters are started from it.
PG_BINDIR="$("$PG_CONFIG" --bindir 2>/dev/null || echo "/usr/lib/postgresql/${PG_MAJOR}/bin")"
# The unprivileged account the test and quickstart servers run as (initdb refuses root).
CHRONICLE_PG_USER="${CHRONICLE_PG_USER:-postgres}"

REQUIRED_PACKAGES=(
    build-essential cmake pkg-config rsync
    "postgresql-${PG_MAJOR}" "postgresql-server-dev-${PG_MAJOR}" "postgresql-client-${PG_MAJOR}"
    postgresql-contrib
    nlohmann-json3-dev libgtest-dev libgmock-dev googletest
    libipc-run-perl
    # tests/fuzz: clang with libFuzzer and the sanitizers' runtimes.
    clang libclang-rt-14-dev
    # The style check of scripts/test.
    clang-format
    # tests/examples: the Node and Python client examples.
    nodejs npm python3-psycopg2
)

# describe_server: which PostgreSQL PG_CONFIG names, for the output: "PostgreSQL 15.20 without
# assertions (/usr/lib/postgresql/15/bin)" or "PostgreSQL 15.18 assert-enabled (...)".
describe_server() {
    local version kind
    version="$("$PG_CONFIG" --version 2>/dev/null || echo "PostgreSQL ?")"
    if "$PG_CONFIG" --configure 2>/dev/null | grep -- "--enable-cassert" >/dev/null; then
        kind="assert-enabled"
    else
        kind="without assertions"
    fi
    echo "$version $kind ($PG_BINDIR)"
}

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_packages [PACKAGE...]: installs those missing of the given packages (by default
# REQUIRED_PACKAGES) with apt.
ensure_packages() {
    local missing=() wanted=("$@")
    [ ${#wanted[@]} -gt 0 ] || wanted=("${REQUIRED_PACKAGES[@]}")
    for pkg in "${wanted[@]}"; do
        # A Node from elsewhere (nodesource's nodejs package brings its own npm and conflicts
        # with Debian's npm) does as well as Debian's: installing npm would fail there.
        case $pkg in
            nodejs) command -v node >/dev/null && continue ;;
            npm) command -v npm >/dev/null && continue ;;
        esac
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    say "Installing missing packages: ${missing[*]}"
    # A fresh postgresql package would create and start a 'main' cluster on port 5432;
    # chronicle's scripts run their own throwaway clusters, so do not create it.
    if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
        as_root mkdir -p /etc/postgresql-common/createcluster.d
        echo "create_main_cluster = false" |
            as_root tee /etc/postgresql-common/createcluster.d/chronicle.conf >/dev/null
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

build_core() {
    say "Building the core library and its unit tests (CMake)"
    cmake -S "$CHRONICLE_ROOT" -B "$CHRONICLE_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$CHRONICLE_ROOT/build" -j"$(nproc)" >/dev/null
}

build_and_install_extension() {
    say "Building and installing the extension (PGXS) for $(describe_server)"
    # Objects compiled against another server's headers (Debian's, then the assert-enabled
    # build, whose structs and Assert() differ) must not be linked into this one's library.
    local stamp="$CHRONICLE_ROOT/build/pgxs-pg_config"
    mkdir -p "$CHRONICLE_ROOT/build"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$PG_CONFIG" ]; then
        make -C "$CHRONICLE_ROOT" -s clean PG_CONFIG="$PG_CONFIG" >/dev/null
        echo "$PG_CONFIG" >"$stamp"
    fi
    make -C "$CHRONICLE_ROOT" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >/dev/null
    as_root make -C "$CHRONICLE_ROOT" -s install PG_CONFIG="$PG_CONFIG" >/dev/null
}

# install_extension_into PG_CONFIG: builds and installs chronicle into another PostgreSQL
# besides the one under test (the old side of the pg_upgrade test), from a copy of the tree of
# its own, so that neither build's objects end up in the other's library.
install_extension_into() {
    local other="$1" tree="$CHRONICLE_ROOT/build/tree-for-$(basename "$(dirname "$(dirname "$1")")")"
    say "Building and installing the extension into $("$other" --version) ($("$other" --bindir))"
    mkdir -p "$tree"
    # The copy keeps its own objects between runs (excluded, so neither copied nor deleted):
    # only what changed is rebuilt.
    rsync -a --delete --exclude .git --exclude /build --exclude /build-fuzz --exclude '*.o' \
        --exclude '*.so' --exclude '*.bc' "$CHRONICLE_ROOT/" "$tree/"
    make -C "$tree" -s -j"$(nproc)" PG_CONFIG="$other" >/dev/null
    as_root make -C "$tree" -s install PG_CONFIG="$other" >/dev/null
}

# start_cluster DIR PORT: a throwaway cluster with chronicle preloaded, run by
# $CHRONICLE_PG_USER, listening on a Unix socket in DIR only.
start_cluster() {
    local dir="$1" port="$2"
    as_root mkdir -p "$dir"
    as_root chown "$CHRONICLE_PG_USER" "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_root runuser -u "$CHRONICLE_PG_USER" -- "$PG_BINDIR/initdb" -D "$dir/data" \
            -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
        cat <<CONF | as_root tee -a "$dir/data/postgresql.conf" >/dev/null
# chronicle throwaway cluster
port = $port
listen_addresses = ''
unix_socket_directories = '$dir'
shared_preload_libraries = 'chronicle'
max_prepared_transactions = 10
# The projection launcher and one worker per database with chronicle, besides parallel query.
max_worker_processes = 16
fsync = off
log_line_prefix = '%m [%p] '
CONF
    fi
    if ! as_root runuser -u "$CHRONICLE_PG_USER" -- "$PG_BINDIR/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_root runuser -u "$CHRONICLE_PG_USER" -- "$PG_BINDIR/pg_ctl" -D "$dir/data" \
            -l "$dir/server.log" -w start >/dev/null
    else
        # Already running (a second run): restart so that a newly installed library is loaded.
        as_root runuser -u "$CHRONICLE_PG_USER" -- "$PG_BINDIR/pg_ctl" -D "$dir/data" \
            -l "$dir/server.log" -w -m fast restart >/dev/null
    fi
}

stop_cluster() {
    local dir="$1"
    as_root runuser -u "$CHRONICLE_PG_USER" -- "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
