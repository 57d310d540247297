#!/usr/bin/env bash
# Nightly: dump the primary, restore the dump into a scratch database and prove that it
# works (migrations consistent, row counts equal). Exit non-zero when anything differs.
#   DATABASE_URL=postgres://user:pass@host:5432/ligestilling deploy/backup-and-restore-test.sh /backups
set -euo pipefail
target_dir=${1:-/var/backups/ligestilling}
mkdir -p "$target_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dump="$target_dir/ligestilling-$stamp.dump"
pg_dump --format=custom --no-owner --file="$dump" "$DATABASE_URL"

base=${DATABASE_URL%/*}
scratch="ligestilling_restore_test"
psql "$base/postgres" -q -c "DROP DATABASE IF EXISTS $scratch" -c "CREATE DATABASE $scratch"
pg_restore --no-owner --dbname="$base/$scratch" "$dump"

count() { psql "$1" -At -c "SELECT (SELECT count(*) FROM logbooks_entry), (SELECT count(*) FROM datasets_observation), (SELECT count(*) FROM projects_project), (SELECT count(*) FROM accounts_auditevent WHERE at < '$stamp')"; }
if [ "$(count "$DATABASE_URL")" != "$(count "$base/$scratch")" ]; then
  echo "restore test FAILED: row counts differ" >&2; exit 1
fi
DATABASE_URL="$base/$scratch" python manage.py migrate --check >/dev/null
psql "$base/postgres" -q -c "DROP DATABASE $scratch"
find "$target_dir" -name 'ligestilling-*.dump' -mtime +30 -delete
echo "backup $dump restored and verified"
