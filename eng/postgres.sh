#!/usr/bin/env bash
# Sourced by eng/test.sh and benchmarks/registry/run.sh. start_postgres <log folder> starts a throw-away
# PostgreSQL 15 cluster (Debian's, `pg_config --bindir`) on a free loopback port, as the postgres user when
# run as root (it refuses root), with a random password for TCP logins and a bounded wait; it exports
# MR_POSTGRES, appends the postmaster's PID to the caller's `pids` array and sets `pg_root`, which the
# caller removes on exit. Needs the caller's free_port.
start_postgres() {
  local log=$1
  if pgbin=$(pg_config --bindir 2>/dev/null) && [ -x "$pgbin/initdb" ]; then
    as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    pg_port=$(free_port)
    pg_root=$(mktemp -d "${TMPDIR:-/tmp}/mr-postgres.XXXXXX")
    [ "$(id -u)" = 0 ] && chown postgres "$pg_root"
    # TCP logins need the password (a random one per run), so a wrong password is refused as on a real server.
    pg_password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    printf '%s\n' "$pg_password" >"$pg_root/pwfile"
    [ "$(id -u)" = 0 ] && chown postgres "$pg_root/pwfile"
    if as_postgres "$pgbin/initdb" -D "$pg_root/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile="$pg_root/pwfile" --no-sync -E UTF8 >"$log/initdb.log" 2>&1; then
      as_postgres "$pgbin/postgres" -D "$pg_root/data" -p "$pg_port" -k "$pg_root" -c listen_addresses=127.0.0.1 \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 >"$log/postgres.log" 2>&1 &
      pids+=($!)
      pg_ready=
      for _ in $(seq 1 150); do
        "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -t 1 && { pg_ready=1; break; }
        sleep 0.2
      done
      if [ -n "$pg_ready" ] && [ -f "$pg_root/data/postmaster.pid" ]; then
        pg_pid=$(head -1 "$pg_root/data/postmaster.pid")
        pids+=("$pg_pid")
        export MR_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$pg_password"
        echo "postgres pid $pg_pid on 127.0.0.1:$pg_port"
      else
        echo "postgres did not answer on 127.0.0.1:$pg_port within 30 s:"; tail -5 "$log/postgres.log"
      fi
    else
      echo "initdb failed:"; tail -5 "$log/initdb.log"
    fi
  fi
}
