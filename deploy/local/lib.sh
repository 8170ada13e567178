# Shared settings of deploy/local/{up,down,status}. Everything lives under the repository's .data/ folder.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${CAREPLANMESH_DATA:-$ROOT/.data}"
PG_PORT="${CAREPLANMESH_PG_PORT:-55432}"
RABBIT_PORT="${CAREPLANMESH_RABBIT_PORT:-55672}"
RABBIT_DIST_PORT="${CAREPLANMESH_RABBIT_DIST_PORT:-55673}"
PUBLIC_URL="${CAREPLANMESH_PUBLIC_URL:-https://127.0.0.1:7443}"
CONFIGURATION="${CAREPLANMESH_CONFIGURATION:-Release}"

# name:project directory:management port
SERVICES=(
  "routing:Routing:7404"
  "crypto:Crypto:7403"
  "validation:Validation:7402"
  "notification:Notification:7405"
  "billing-reconciliation:BillingReconciliation:7406"
  "intake:Intake:7401"
)

PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
PG_DATA="$DATA/postgres"
RABBIT_HOME="$DATA/rabbitmq"
RABBIT_CTL=/usr/lib/rabbitmq/bin/rabbitmqctl
RABBIT_SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server

PG_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=careplanmesh;Password=careplanmesh;Database=careplanmesh"
RABBIT_URI="amqp://careplanmesh:careplanmesh@127.0.0.1:$RABBIT_PORT/"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

rabbit_env() {
  env HOME="$RABBIT_HOME" RABBITMQ_NODENAME="careplanmesh@localhost" \
    RABBITMQ_MNESIA_BASE="$RABBIT_HOME/mnesia" RABBITMQ_LOG_BASE="$RABBIT_HOME/log" \
    RABBITMQ_NODE_PORT="$RABBIT_PORT" RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT" \
    RABBITMQ_CONFIG_FILE="$RABBIT_HOME/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_HOME/enabled_plugins" \
    ERL_EPMD_ADDRESS=127.0.0.1 "$@"
}

postgres_running() { [ -n "$PG_BIN" ] && [ -f "$PG_DATA/PG_VERSION" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }
rabbit_running() { [ -x "$RABBIT_CTL" ] && [ -d "$RABBIT_HOME" ] && rabbit_env "$RABBIT_CTL" -q status >/dev/null 2>&1; }

pid_of() { local file="$DATA/pids/$1.pid"; [ -f "$file" ] && cat "$file" || true; }
service_running() { local pid; pid="$(pid_of "$1")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
service_ready() { curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$1/health/ready"; }
