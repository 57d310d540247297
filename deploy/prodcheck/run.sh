#!/usr/bin/env bash
# `make prodcheck`: production as it is run, without Docker, on loopback ports.
#
# Builds the production configuration from .env.example's values with DEBUG off, then:
#   PostgreSQL  a scratch database; an owner role runs the migrations, the application
#               runs as a least-privilege runtime role (manage.py grant_runtime_role)
#   static      collectstatic with the production storage (hashed, compressed)
#   gunicorn    deploy/gunicorn.conf.py, on 127.0.0.1:$APP_PORT
#   worker      manage.py run_worker (imports and PDFs), as the runtime role
#   Redis       the machine's Redis on 6379, a database of its own
#   nginx       Debian's nginx, TLS with a certificate made now, HTTP redirected to HTTPS
# checks `check --deploy`, the headers, the audit log's protection and a browser journey
# through nginx (deploy/prodcheck/journey.py), then attacks it from outside
# (deploy/prodcheck/probe.py), and stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}

HTTPS_PORT=${PRODCHECK_HTTPS_PORT:-18443}
HTTP_PORT=${PRODCHECK_HTTP_PORT:-18080}
APP_PORT=${PRODCHECK_APP_PORT:-18001}
PGHOST=${PRODCHECK_PGHOST:-127.0.0.1}
PGPORT=${PRODCHECK_PGPORT:-5432}
PGADMIN=${PRODCHECK_PGADMIN:-postgres}
# Another name lets two checkouts run prodcheck at once (with other ports).
NAME=${PRODCHECK_NAME:-pc}
DB=ligestilling_${NAME}
OWNER=ligestilling_${NAME}_owner
APP=ligestilling_${NAME}_app
WORK=$ROOT/var/prodcheck
export WORK HTTPS_PORT HTTP_PORT APP_PORT

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'PRODCHECK FAILED: %s\n' "$*" >&2; exit 1; }
psql_admin() { psql -v ON_ERROR_STOP=1 -qAt -h "$PGHOST" -p "$PGPORT" -U "$PGADMIN" "$@"; }

pids=()
cleanup() {
  status=$?
  say "Stopping what prodcheck started"
  if [ -f "$WORK/nginx.pid" ]; then kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  redis-cli -n "${PRODCHECK_REDIS_DB:-7}" FLUSHDB >/dev/null 2>&1 || true
  psql_admin -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
    -c "DROP ROLE IF EXISTS $APP" -c "DROP ROLE IF EXISTS $OWNER" >/dev/null 2>&1 || true
  if [ "$status" -ne 0 ]; then
    for log in "$WORK"/logs/*.log; do
      [ -f "$log" ] || continue
      printf -- '--- last lines of %s\n' "$log"; tail -n 40 "$log"
    done
  fi
  exit "$status"
}
trap cleanup EXIT

for port in "$HTTPS_PORT" "$HTTP_PORT" "$APP_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port is in use (set PRODCHECK_*_PORT)"; fi
done
command -v nginx >/dev/null || fail "nginx is not installed (make prodcheck installs it as root)"
redis-cli ping >/dev/null 2>&1 || fail "Redis does not answer on 127.0.0.1:6379"

rm -rf "$WORK"
mkdir -p "$WORK"/{logs,tls,nginx,imports,media}

say "Production settings from .env.example (DEBUG off), with this machine's addresses"
set -a
# shellcheck source=/dev/null
. "$ROOT/.env.example"
set +a
unset EMAIL_URL  # the example's SMTP host does not exist here; mails go to the log
SECRET_KEY=$(openssl rand -base64 48 | tr -d '\n/+=')
ALLOWED_HOSTS=localhost
CSRF_TRUSTED_ORIGINS=https://localhost:$HTTPS_PORT
OWNER_URL=postgres://$OWNER@$PGHOST:$PGPORT/$DB
DATABASE_URL=postgres://$APP@$PGHOST:$PGPORT/$DB
CACHE_URL=redis://127.0.0.1:6379/${PRODCHECK_REDIS_DB:-7}
EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
TASKS_BACKEND=django_tasks_db.DatabaseBackend
# Every import goes to the worker, as large files do in production.
DATASETS_INLINE_IMPORT_BYTES=0
IMPORTS_DIR=$WORK/imports
MEDIA_DIR=$WORK/media
export SECRET_KEY ALLOWED_HOSTS CSRF_TRUSTED_ORIGINS DATABASE_URL CACHE_URL EMAIL_BACKEND TASKS_BACKEND \
  DATASETS_INLINE_IMPORT_BYTES IMPORTS_DIR MEDIA_DIR
export DJANGO_SETTINGS_MODULE=ligestilling.settings
unset STATICFILES_BACKEND  # the production storage, never the tests' simpler one
[ "$DEBUG" = "false" ] || fail ".env.example must set DEBUG=false"
STATIC_ROOT=$($PY -c 'import django; django.setup(); from django.conf import settings; print(settings.STATIC_ROOT)')
export STATIC_ROOT

say "PostgreSQL: database $DB, owner role $OWNER, runtime role $APP"
psql_admin -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
  -c "DROP ROLE IF EXISTS $APP" -c "DROP ROLE IF EXISTS $OWNER" \
  -c "CREATE ROLE $OWNER LOGIN" -c "CREATE ROLE $APP LOGIN" \
  -c "CREATE DATABASE $DB OWNER $OWNER"
psql_admin -d "$DB" -c "REVOKE ALL ON DATABASE $DB FROM PUBLIC" -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC"

say "Migrations as the owner role, then the runtime role's grants"
DATABASE_URL=$OWNER_URL DB_STATEMENT_TIMEOUT_MS=0 DB_LOCK_TIMEOUT_MS=0 $PY manage.py migrate --noinput -v0
DATABASE_URL=$OWNER_URL $PY manage.py grant_runtime_role "$APP"
owned=$(psql_admin -d "$DB" -c "SELECT count(*) FROM pg_tables WHERE schemaname='public' AND tableowner='$APP'")
[ "$owned" = "0" ] || fail "the runtime role owns $owned tables"

say "Translations and static files (production storage)"
DJANGO_SETTINGS_MODULE= $PY -m django compilemessages --ignore=.venv --ignore=bench -v0
$PY manage.py collectstatic --noinput --clear -v0
[ -s "$STATIC_ROOT/staticfiles.json" ] || fail "collectstatic wrote no manifest"
ls "$STATIC_ROOT"/vendor/plotly.min.*.js.gz >/dev/null || fail "plotly.js was not collected and compressed"

say "check --deploy --fail-level WARNING"
$PY manage.py check --deploy --fail-level WARNING

say "Demo data, written as the runtime role"
$PY manage.py seed_demo --force >"$WORK/logs/seed.log" 2>&1 || fail "seed_demo failed (see $WORK/logs/seed.log)"

say "TLS certificate for localhost, made now"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$WORK/tls/key.pem" -out "$WORK/tls/cert.pem" 2>/dev/null

say "Starting gunicorn, the task worker and nginx"
GUNICORN_BIND=127.0.0.1:$APP_PORT GUNICORN_WORKERS=2 \
  "$ROOT/.venv/bin/gunicorn" ligestilling.wsgi -c deploy/gunicorn.conf.py >"$WORK/logs/gunicorn.log" 2>&1 &
pids+=($!)
$PY manage.py run_worker --interval 0.5 >"$WORK/logs/worker.log" 2>&1 &
pids+=($!)
envsubst '${WORK} ${APP_PORT} ${HTTP_PORT} ${HTTPS_PORT} ${STATIC_ROOT}' \
  <deploy/prodcheck/nginx.conf.template >"$WORK/nginx.conf"
nginx -t -q -c "$WORK/nginx.conf" -p "$WORK" 2>>"$WORK/logs/nginx-error.log" || fail "nginx refused the configuration"
# The container route's load balancer config must be valid too (it is written to work
# on this nginx as well as the one its image pins).
sed -e "s#/etc/nginx/tls/#$WORK/tls/#" deploy/nginx.conf >"$WORK/compose-default.conf"
printf 'pid %s/compose-nginx.pid;\nerror_log %s/logs/compose-nginx.log;\nevents {}\nhttp {\n include /etc/nginx/mime.types;\n include %s/compose-default.conf;\n}\n' \
  "$WORK" "$WORK" "$WORK" >"$WORK/compose-nginx.conf"
nginx -t -q -c "$WORK/compose-nginx.conf" -p "$WORK" || fail "nginx refused deploy/nginx.conf (the compose load balancer)"
nginx -c "$WORK/nginx.conf" -p "$WORK" -g "daemon off;" 2>>"$WORK/logs/nginx-error.log" &
pids+=($!)

# gunicorn answers the container health check with the production settings as they are.
for _ in $(seq 1 60); do
  if ALLOWED_HOSTS=$ALLOWED_HOSTS $PY deploy/healthcheck.py "http://127.0.0.1:$APP_PORT/sundhed/" 2>/dev/null; then break; fi
  sleep 0.5
done
$PY deploy/healthcheck.py "http://127.0.0.1:$APP_PORT/sundhed/" || fail "the container health check fails against gunicorn"

BASE=https://localhost:$HTTPS_PORT
for _ in $(seq 1 60); do
  if curl -ksf -o /dev/null "$BASE/sundhed/"; then break; fi
  sleep 0.5
done
curl -ksf -o /dev/null "$BASE/sundhed/" || fail "the health check does not answer through nginx"

say "Headers through nginx"
export BASE HTTP_BASE=http://localhost:$HTTP_PORT DB OWNER APP PGHOST PGPORT PGADMIN
$PY deploy/prodcheck/checks.py

say "Browser journey through nginx (Debian's Chromium)"
DJANGO_ALLOW_ASYNC_UNSAFE=true $PY deploy/prodcheck/journey.py

say "Outside probe through nginx: tenancy, injected script, PDFs, exports, CSRF, redirects, issue 16's findings"
$PY deploy/prodcheck/probe.py

say "Processes still running after the journey and the probe"
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "process $pid died (see $WORK/logs)"; done
if grep -E "Traceback|ERROR" "$WORK"/logs/gunicorn.log "$WORK"/logs/worker.log; then
  fail "errors in the server logs"
fi
echo "prodcheck passed"
