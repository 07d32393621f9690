#!/usr/bin/env bash
# Re-records the traces in this folder with the project's own recorder (`xest trace record`,
# strace underneath). Run from anywhere: `bash traces/record.sh [NAME...]` (default: all).
# Inputs are generated here, deterministically; the traces themselves differ from run to run
# (times, pids, and whatever the programs decide), which is why the recorded files are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
XEST=(node bin/xest.js)
WORK=$(mktemp -d /tmp/xest-traces.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PORT=18765
# The interpreter itself, not a version-manager shim (pyenv's shim runs ~45 shell processes first).
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

python_imports () {
  # CPython 3 starting and importing a dozen standard-library packages.
  "${XEST[@]}" trace record --out traces/python-imports.xtrace -- \
    "$PYTHON" -c 'import json, csv, sqlite3, email.parser, http.client, xml.dom.minidom, argparse, logging, unittest, decimal, zipfile, tarfile'
}

sqlite_db () {
  # The sqlite3 shell building a 20,000-row table with an index (one process), then a second
  # sqlite3 process, with a cold page cache, querying, updating and deleting in it (4 KiB
  # pages, rollback journal).
  rm -f /tmp/xest-trace-sqlite.db /tmp/xest-trace-sqlite.db-journal
  cat > "$WORK/build.sql" <<'SQL'
CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, category INTEGER, price REAL, note TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
  INSERT INTO item SELECT i, 'item-' || i, i % 37, (i * 7919) % 1000 / 10.0, substr(hex(randomblob(32)), 1, 40) FROM n;
CREATE INDEX item_category ON item (category);
SQL
  cat > "$WORK/query.sql" <<'SQL'
SELECT category, count(*), avg(price) FROM item GROUP BY category ORDER BY category LIMIT 3;
SELECT count(*) FROM item WHERE category = 7 AND price > 50;
SELECT name, price FROM item WHERE id BETWEEN 5000 AND 5003;
UPDATE item SET price = price * 1.1 WHERE category IN (3, 5, 8);
DELETE FROM item WHERE id % 10 = 0;
SELECT count(*) FROM item WHERE note LIKE '%ABC%';
SELECT count(*) FROM item;
SQL
  "${XEST[@]}" trace record --out traces/sqlite-db.xtrace -- \
    sh -c "sqlite3 /tmp/xest-trace-sqlite.db '.read $WORK/build.sql' && sqlite3 /tmp/xest-trace-sqlite.db '.read $WORK/query.sql'"
  rm -f /tmp/xest-trace-sqlite.db
}

http_server () {
  # python3 -m http.server on 127.0.0.1 serving 40 files of 1-40 KiB to 200 curl requests
  # (file i requested with a skewed popularity), stopped by SIGINT after 12 s.
  mkdir -p "$WORK/www"
  for i in $(seq 0 39); do
    head -c $(( (i % 40 + 1) * 1024 )) /dev/zero | tr '\0' 'x' > "$WORK/www/page$i.html"
  done
  "${XEST[@]}" trace record --out traces/python-http-server.xtrace -- \
    timeout --preserve-status -s INT 12 "$PYTHON" -m http.server $PORT --bind 127.0.0.1 --directory "$WORK/www" > /dev/null 2>&1 &
  local recorder=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
  for r in $(seq 1 200); do
    i=$(( (r * r * 7) % 40 * (r % 3) / 2 ))   # skewed towards low page numbers
    curl -s -o /dev/null "http://127.0.0.1:$PORT/page$i.html"
  done
  wait $recorder
  "${XEST[@]}" trace stats traces/python-http-server.xtrace
}

node_cli () {
  # Node.js starting this project's own CLI (tsx loading TypeScript sources, yargs) to print a
  # node id.
  "${XEST[@]}" trace record --out traces/node-xest-cli.xtrace -- node bin/xest.js id 127.0.0.1:5850
}

names=("$@")
[ ${#names[@]} -eq 0 ] && names=(python_imports sqlite_db http_server node_cli)
for name in "${names[@]}"; do
  echo "== $name"
  "$name"
done
ls -l traces/*.xtrace
