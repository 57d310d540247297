#!/bin/sh
# The scheduled jobs, for the scheduler container (or a systemd service without Docker).
# Runs as the database owner role: the retention purge deletes audit events, which the
# runtime role may not. Times are the container's local time (TZ).
#   every 5 minutes  expire_stale_jobs   imports and PDFs whose worker died
#   daily at DAILY_AT (default 02:30)
#                    purge_expired       logbook retention and audit retention (GDPR)
#                    refresh_summary     the national overview's counts
#                    prune_db_task_results  finished task rows older than 14 days
set -u
DAILY_AT=${DAILY_AT:-02:30}
run() {
  echo "$(date -Iseconds) INFO scheduler running: $*"
  python manage.py "$@" || echo "$(date -Iseconds) ERROR scheduler failed: $*"
}
last_day=""
while true; do
  run expire_stale_jobs
  today=$(date +%F)
  if [ "$(date +%H:%M)" \> "$DAILY_AT" ] || [ "$(date +%H:%M)" = "$DAILY_AT" ]; then
    if [ "$today" != "$last_day" ]; then
      run purge_expired
      run refresh_summary
      run prune_db_task_results --min-age-days 14
      last_day=$today
    fi
  fi
  sleep 300
done
