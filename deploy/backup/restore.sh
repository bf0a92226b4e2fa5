#!/usr/bin/env bash
# Restores a dump made by deploy/backup/backup.sh into the database named by DATABASE_URL (or PG* variables).
# Runbook: docs/runbooks/backup-and-restore.md.
#
#   DATABASE_URL=postgresql://relaygate:…@db:5432/relaygate_restored deploy/backup/restore.sh relaygate-….dump
#
# The target must be an empty database (create it first: createdb relaygate_restored); a database that already has
# tables is refused, unless --replace is given, which drops what the dump holds before restoring it. The restore
# runs in one transaction: it applies whole or not at all. Prints each table's row count afterwards, to compare with
# what backup.sh printed.
set -euo pipefail
. "$(dirname "$0")/common.sh"

replace=false
if [[ "${1:-}" == "--replace" ]]; then
    replace=true
    shift
fi
dump=${1:?usage: restore.sh [--replace] <dump file>}
[[ -r "$dump" ]] || fail "cannot read $dump"
check_client_version "$PG_RESTORE" PG_RESTORE
"$PG_RESTORE" --list "$dump" >/dev/null || fail "$dump is not a pg_dump custom-format archive"

tables=$(psql_value "select count(*) from pg_tables where schemaname = 'public'")
clean=()
if ((tables > 0)); then
    $replace || fail "the target database already has $tables tables; restore into a new database, or pass --replace"
    clean=(--clean --if-exists)
fi

"$PG_RESTORE" --dbname="$(dbname)" --single-transaction --exit-on-error --no-owner --no-privileges "${clean[@]}" "$dump"
psql_value "analyze" >/dev/null

echo "Restored $dump. Rows per table:"
table_counts
