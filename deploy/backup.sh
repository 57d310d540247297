#!/bin/sh
# Nightly backup for the backup container (image postgres:16, so pg_dump matches the
# server): a custom-format dump in /backups, checked by listing it with pg_restore,
# kept BACKUP_KEEP_DAYS days (default 30). deploy/backup-and-restore-test.sh restores
# a dump into a scratch database and compares row counts; run it weekly.
set -u
BACKUP_AT=${BACKUP_AT:-01:30}
KEEP=${BACKUP_KEEP_DAYS:-30}
last_day=""
while true; do
  today=$(date +%F)
  if [ "$(date +%H:%M)" \> "$BACKUP_AT" ] && [ "$today" != "$last_day" ]; then
    file="/backups/ligestilling-$(date -u +%Y%m%dT%H%M%SZ).dump"
    if pg_dump --format=custom --file="$file.partial" "$DATABASE_URL" && pg_restore --list "$file.partial" >/dev/null; then
      mv "$file.partial" "$file"
      echo "$(date -Iseconds) INFO backup written: $file"
      find /backups -name 'ligestilling-*.dump' -mtime +"$KEEP" -delete
      last_day=$today
    else
      rm -f "$file.partial"
      echo "$(date -Iseconds) ERROR backup failed; retrying in 10 minutes"
    fi
  fi
  sleep 600
done
