# Shared settings of deploy/local/{up,down,status}. Everything lives under the repository's .data/ folder.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${CAREPLANMESH_DATA:-$ROOT/.data}"
PG_PORT="${CAREPLANMESH_PG_PORT:-55432}"
RABBIT_PORT="${CAREPLANMESH_RABBIT_PORT:-55672}"
RABBIT_DIST_PORT="${CAREPLANMESH_RABBIT_DIST_PORT:-55673}"
PUBLIC_URL="${CAREPLANMESH_PUBLIC_URL:-https://127.0.0.1:7443}"
CONFIGURATION="${CAREPLANMESH_CONFIGURATION:-Release}"
# 1: the services run from a ReadyToRun publish in $DATA/ready-to-run (precompiled: shorter waits in the first minute,
# a little less CPU; the publish takes minutes), docs/benchmarks.md 2026-12-06 (2).
READY_TO_RUN="${CAREPLANMESH_READY_TO_RUN:-0}"
# A service whose /health/ready does not answer 200 this many seconds after its start is started again, at most RESTARTS times.
READY_GRACE="${CAREPLANMESH_READY_GRACE:-60}"
RESTARTS="${CAREPLANMESH_RESTARTS:-2}"

# name:project directory:management port
SERVICES=(
  "routing:Routing:7404"
  "crypto:Crypto:7403"
  "validation:Validation:7402"
  "notification:Notification:7405"
  "billing-reconciliation:BillingReconciliation:7406"
  "intake:Intake:7401"
)
# The front door (frontdoor/CarePlanMesh.FrontDoor) answers on PUBLIC_URL and forwards to the intake replicas, which listen
# on INTAKE_PORT (+100 per replica) and trust the certificate it forwards only from FRONT_DOOR_SOURCE.
FRONT_DOOR_PORT="${CAREPLANMESH_FRONT_DOOR_PORT:-7400}"
FRONT_DOOR_SOURCE=127.0.0.2
INTAKE_PORT="${CAREPLANMESH_INTAKE_PORT:-7444}"
FRONT_DOOR="front-door:FrontDoor:$FRONT_DOOR_PORT:1"

# CAREPLANMESH_REPLICAS=intake=2,routing=2 runs that many processes of a service (1 to 9, 1 by default); up records it
# in .data/replicas so that status, down and the next up see the same set. Replica N of a service is named <name>-N
# and its management port is the service's + 100 × (N - 1).
REPLICAS="${CAREPLANMESH_REPLICAS-$(cat "$DATA/replicas" 2>/dev/null || true)}"
INSTANCES=()
for entry in "${SERVICES[@]}"; do
  IFS=: read -r name project port <<<"$entry"
  count=1
  for pair in ${REPLICAS//,/ }; do [ "${pair%%=*}" = "$name" ] && count="${pair#*=}"; done
  [[ "$count" =~ ^[1-9]$ ]] || { echo "error: CAREPLANMESH_REPLICAS: $name=$count; give 1 to 9" >&2; exit 1; }
  for replica in $(seq 1 "$count"); do
    INSTANCES+=("$([ "$replica" = 1 ] && echo "$name" || echo "$name-$replica"):$project:$((port + 100 * (replica - 1))):$replica")
  done
done
for pair in ${REPLICAS//,/ }; do
  printf '%s\n' "${SERVICES[@]}" | grep -q "^${pair%%=*}:" || { echo "error: CAREPLANMESH_REPLICAS: no service called ${pair%%=*}" >&2; exit 1; }
done

# Every service's Npgsql pool opens at most DB_POOL connections (Database:MaxPoolSize); PostgreSQL allows all of them plus
# 30 for psql, the tests of a developer and the superuser's reserve (docs/operations.md, sizing).
DB_POOL="${CAREPLANMESH_DB_POOL:-20}"
PG_MAX_CONNECTIONS=$(( ${#INSTANCES[@]} * DB_POOL + 30 < 100 ? 100 : ${#INSTANCES[@]} * DB_POOL + 30 ))

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

RABBIT_ENV=(env HOME="$RABBIT_HOME" RABBITMQ_NODENAME="careplanmesh@localhost"
  RABBITMQ_MNESIA_BASE="$RABBIT_HOME/mnesia" RABBITMQ_LOG_BASE="$RABBIT_HOME/log"
  RABBITMQ_NODE_PORT="$RABBIT_PORT" RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT"
  RABBITMQ_CONFIG_FILE="$RABBIT_HOME/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_HOME/enabled_plugins"
  ERL_EPMD_ADDRESS=127.0.0.1)

# rabbitmqctl may start epmd, which then lives on: it must not inherit the caller's input or output either.
rabbitctl() { "${RABBIT_ENV[@]}" "$RABBIT_CTL" "$@" </dev/null; }

# Starts a daemon in its own session, its input from /dev/null and its output appended to LOG; its pid is then in $!.
# Whatever it leaves running (epmd, beam) holds none of the caller's descriptors, so `deploy/local/up | tee` returns.
detach() { local log="$1"; shift; setsid "$@" </dev/null >>"$log" 2>&1 & }

postgres_running() { [ -n "$PG_BIN" ] && [ -f "$PG_DATA/PG_VERSION" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status </dev/null >/dev/null 2>&1; }
rabbit_running() { [ -x "$RABBIT_CTL" ] && [ -d "$RABBIT_HOME" ] && rabbitctl -q status >/dev/null 2>&1; }

pid_of() { local file="$DATA/pids/$1.pid"; [ -f "$file" ] && cat "$file" || true; }
service_running() { local pid; pid="$(pid_of "$1")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
service_ready() { curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$1/health/ready"; }

stop_service() {
  local pid; pid="$(pid_of "$1")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$DATA/pids/$1.pid" "$DATA/pids/$1.started"
}

# What a service's health endpoint (PATH on PORT) says when it is not 200: one line per check that is not Healthy,
# with its endpoints that are not Ready. Reads {"status":…,"checks":[{"name":…,"status":…,"endpoints":{…}}]} with
# sed, and a plain-text body ("Unhealthy") as it is. Descriptions are left out: they may carry exception text.
health_detail() {
  local port="$1" path="$2" response code body checks
  response="$(curl -s --max-time 3 -w '\n%{http_code}' "http://127.0.0.1:$port$path" 2>/dev/null)" || true
  code="${response##*$'\n'}"
  if [ -z "$code" ] || [ "$code" = 000 ]; then echo "$path: no answer"; return; fi
  [ "$code" = 200 ] && return
  body="$(printf '%s' "${response%$'\n'*}" | tr -d '\r\n' | sed 's/"[[:space:]]*:[[:space:]]*/":/g; s/,[[:space:]]*/,/g; s/{[[:space:]]*/{/g')"
  case "$body" in
    \{*) ;;
    *) echo "$path: $code ${body:-(no body)}" | cut -c 1-200; return ;;
  esac
  echo "$path: $code $(printf '%s' "${body%%\"checks\":*}" | sed -n 's/.*"status":"\([^"]*\)".*/\1/p')"
  checks="$(printf '%s' "$body" | sed 's/{"name":/\n&/g' | sed '1d')"
  [ -n "$checks" ] || return 0
  while IFS= read -r check; do
    local name status endpoints
    name="$(printf '%s' "$check" | sed -n 's/^{"name":"\([^"]*\)".*/\1/p')"
    status="$(printf '%s' "$check" | sed -n 's/^[^{]*{[^{]*"status":"\([^"]*\)".*/\1/p')"
    [ "$status" = Healthy ] && continue
    endpoints="$(printf '%s' "$check" | sed -n 's/.*"endpoints":{\([^}]*\)}.*/\1/p' | tr ',' '\n' |
      sed -n 's/^"\([^"]*\)":"\([^"]*\)"$/\1 \2/p' | sed '/ Ready$/d' | paste -sd ',' - | sed 's/,/, /g')"
    echo "  ${name:-?} ${status:-?}${endpoints:+ (endpoints: $endpoints)}"
  done <<<"$checks"
}
