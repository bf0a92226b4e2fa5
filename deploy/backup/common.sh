# Shared by backup.sh and restore.sh: the connection and the version check. Sourced, not run.
#
# The database is named by DATABASE_URL (postgresql://user:password@host:port/database), or by libpq's own
# variables (PGHOST, PGPORT, PGUSER, PGPASSWORD or PGPASSFILE, PGDATABASE). The client tools are pg_dump,
# pg_restore and psql from PATH, or PG_DUMP, PG_RESTORE and PSQL.

PG_DUMP=${PG_DUMP:-pg_dump}
PG_RESTORE=${PG_RESTORE:-pg_restore}
PSQL=${PSQL:-psql}

fail() {
    echo "$(basename "$0"): $*" >&2
    exit 2
}

# The --dbname argument: the URL, else the database libpq's variables name.
dbname() {
    if [[ -n "${DATABASE_URL:-}" ]]; then
        printf '%s' "$DATABASE_URL"
    elif [[ -n "${PGDATABASE:-}" ]]; then
        printf '%s' "$PGDATABASE"
    else
        fail "set DATABASE_URL (postgresql://user:password@host:port/database) or PGDATABASE and the other PG* variables"
    fi
}

psql_value() {
    "$PSQL" --no-psqlrc --tuples-only --no-align --quiet --dbname="$(dbname)" --command="$1"
}

# pg_dump and pg_restore read and write servers of their own major version or older only.
check_client_version() {
    local tool=$1 client server
    command -v "$tool" >/dev/null || fail "$tool not found: install the PostgreSQL client of the server's major version (Debian: postgresql-client) or set ${2}"
    client=$("$tool" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')
    server=$(psql_value 'show server_version_num') || fail "cannot connect to the database"
    server=$((server / 10000))
    if ((client < server)); then
        fail "$tool $client cannot handle a PostgreSQL $server server; use the client of version $server or newer (${2}=...)"
    fi
}

# One line per table: name and row count, in name order (what restore.sh prints to compare with the backup's).
table_counts() {
    psql_value "select string_agg(format('%s %s', c.relname,
                     (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I.%I', n.nspname, c.relname), false, true, '')))[1]::text),
                     E'\n' order by c.relname)
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition"
}
