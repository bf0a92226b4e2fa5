#!/usr/bin/env bash
# Backs up the control plane's PostgreSQL database (the only durable state of Relaygate) with pg_dump, in the custom
# format that pg_restore reads: deploy/backup/restore.sh. Runbook: docs/runbooks/backup-and-restore.md.
#
#   DATABASE_URL=postgresql://relaygate:…@db:5432/relaygate deploy/backup/backup.sh [file]
#
# Writes <file> (default relaygate-<UTC time>.dump) through a temporary file, so a failed run never leaves a file
# that looks complete, checks that pg_restore can read its table of contents, and prints each table's row count.
# The dump is one consistent snapshot (one transaction); the services may keep running meanwhile.
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=${1:-relaygate-$(date -u +%Y%m%dT%H%M%SZ).dump}
[[ -e "$out" ]] && fail "$out exists; name a new file"
check_client_version "$PG_DUMP" PG_DUMP
check_client_version "$PG_RESTORE" PG_RESTORE

partial="$out.partial"
trap 'rm -f "$partial"' EXIT
"$PG_DUMP" --dbname="$(dbname)" --format=custom --compress=6 --no-owner --no-privileges --file="$partial"
"$PG_RESTORE" --list "$partial" >/dev/null
mv "$partial" "$out"
trap - EXIT

echo "Backed up to $out ($(wc -c <"$out") bytes). Rows per table at the time of the dump:"
table_counts
