#!/bin/sh
# tests/bench/run.sh — `make bench`: builds the `large` demo workspace (10,000 customers,
# 200,000 tasks, 1,000,000 interactions) and measures the everyday commands on it: wall time
# (median of 5 runs) and peak memory. Results are compared with tests/bench/baseline (name, seconds,
# MiB; tab-separated), recorded on the project's reference machine (2 cores, Debian 12); a ratio
# above 2 is flagged. Copy build/bench/results over the baseline to record a new one. Speed is measured
# here, never asserted by timed tests. BENCH_REUSE=1 keeps an existing workspace.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# A copy, so rebuilding while the benchmark runs cannot change what is measured.
mkdir -p "$top/build/bench"
cp "$top/rapport" "$top/build/bench/rapport"
bin="$top/build/bench/rapport"
dir="$top/build/bench/large"
base="$top/tests/bench/baseline"
out="$top/build/bench/results"
export RAPPORT_NOW=2026-11-22T09:00:00Z TZ=UTC LC_ALL=C.UTF-8 RAPPORT_PAGER=cat
mkdir -p "$top/build/bench"
: >"$out"

# measure NAME CMD...: median wall seconds of 5 runs, and peak RSS in MiB of the last.
measure() {
	name=$1
	shift
	times=""
	for i in 1 2 3 4 5; do
		/usr/bin/time -f "%e %M" -o "$top/build/bench/t" "$@" >/dev/null 2>&1
		times="$times $(cut -d' ' -f1 "$top/build/bench/t")"
	done
	med=$(echo $times | tr ' ' '\n' | sort -n | sed -n 3p)
	rss=$(awk '{ printf "%.1f", $2 / 1024 }' "$top/build/bench/t")
	report "$name" "$med" "$rss"
}

report() {
	b=$(awk -F '\t' -v n="$1" '$1 == n { print $2 }' "$base" 2>/dev/null)
	ratio=""
	flag=""
	if [ -n "$b" ]; then
		ratio=$(awk -v v="$2" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", v / b; else print "-" }')
		awk -v r="$ratio" 'BEGIN { exit !(r > 2) }' && flag="  <-- slower than baseline"
	fi
	printf '%-34s %9ss %9s MiB   baseline %6ss  ratio %5s%s\n' "$1" "$2" "$3" "${b:--}" "${ratio:--}" "$flag"
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$out"
}

if [ "${BENCH_REUSE:-0}" != 1 ] || [ ! -d "$dir/.rapport" ]; then
	rm -rf "$dir"
	/usr/bin/time -f "%e %M" -o "$top/build/bench/t" "$bin" demo "$dir" --size large >/dev/null
	report "demo --size large" "$(cut -d' ' -f1 "$top/build/bench/t")" \
		"$(awk '{ printf "%.1f", $2 / 1024 }' "$top/build/bench/t")"
	size=$(du -sm "$dir/.rapport" | cut -f1)
	echo "workspace size: ${size} MiB"
fi

cust=$("$bin" -C "$dir" list customer --limit 1 --offset 5000 --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -1)
proj=$("$bin" -C "$dir" list project --limit 1 --offset 10000 --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -1)
measure "list customer --limit 50" "$bin" -C "$dir" list customer --limit 50
measure "list customer stage=at_risk" "$bin" -C "$dir" list customer stage=at_risk --limit 50
measure "list interaction --limit 50" "$bin" -C "$dir" list interaction --limit 50
measure "list task due<today status!=done" "$bin" -C "$dir" list task 'due<today' 'status!=done' --limit 50
measure "list customer (all 10,000)" "$bin" -C "$dir" list customer
measure "show customer (360)" "$bin" -C "$dir" show "$cust"
measure "show project (WBS)" "$bin" -C "$dir" show "$proj"
measure "show by 6-char prefix" "$bin" -C "$dir" show "$(echo "$cust" | cut -c1-6)"
measure "search 'budget review'" "$bin" -C "$dir" search budget review
measure "search CJK name" "$bin" -C "$dir" search 张伟
measure "add interaction" "$bin" -C "$dir" add interaction customer="$cust" kind=call summary=bench
measure "fields (census of all kinds)" "$bin" -C "$dir" fields
# Health reads through the facts kept between runs (man rapport, HEALTH): the first run of a
# day reads everything; later ones read what writes marked since.
db="$dir/.rapport/rapport.db"
measure "health, first run of a day" sh -c "sqlite3 '$db' \"INSERT OR IGNORE INTO facts_dirty VALUES('*')\" && '$bin' -C '$dir' health"
measure "health (every project and customer)" "$bin" -C "$dir" health
measure "health after ~200 records changed" sh -c "sqlite3 '$db' \"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100) UPDATE task SET progress = abs(random()) % 100 WHERE rowid IN (SELECT 1 + abs(random()) % (SELECT max(rowid) FROM task) FROM r); WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100) UPDATE interaction SET summary = summary WHERE rowid IN (SELECT 1 + abs(random()) % (SELECT max(rowid) FROM interaction) FROM r)\" && '$bin' -C '$dir' health"
measure "health ID --why (one customer)" "$bin" -C "$dir" health "$cust" --why
measure "alerts (every rule over every record)" "$bin" -C "$dir" alerts
measure "report health (html, every score)" "$bin" -C "$dir" report health --format html
measure "report portfolio (html)" "$bin" -C "$dir" report portfolio --format html
proj=$(sqlite3 "$dir/.rapport/rapport.db" "select id from project where status = 'active' limit 1")
measure "report status (one project)" "$bin" -C "$dir" report status --project "$proj" --since 2026-11-15
rm -rf "$top/build/bench/portal"
measure "portal (one customer)" sh -c "rm -rf '$top/build/bench/portal'; '$bin' -C '$dir' portal '$cust' -o '$top/build/bench/portal'"
# Import: 100,000 customers from CSV, against the floor of the sqlite3 shell's .import of the
# same file into a bare table (no validation, no indexes, no search index).
csv="$top/build/bench/customers.csv"
if [ ! -f "$csv" ]; then
	awk 'BEGIN { print "name,industry,region,stage,website";
		for (i = 0; i < 100000; i++)
			printf "Imported Customer %d,Retail,EMEA,active,https://c%d.example\n", i, i }' >"$csv"
fi
rm -rf "$top/build/bench/imp"
"$bin" init "$top/build/bench/imp" >/dev/null
/usr/bin/time -f "%e %M" -o "$top/build/bench/t" "$bin" -C "$top/build/bench/imp" import customer "$csv" >/dev/null
imp=$(cut -d' ' -f1 "$top/build/bench/t")
report "import 100,000 customers" "$imp" "$(awk '{ printf "%.1f", $2 / 1024 }' "$top/build/bench/t")"
/usr/bin/time -f "%e %M" -o "$top/build/bench/t" "$bin" -C "$top/build/bench/imp" export customer -o "$top/build/bench/export.csv"
report "export 100,000 customers (csv)" "$(cut -d' ' -f1 "$top/build/bench/t")" "$(awk '{ printf "%.1f", $2 / 1024 }' "$top/build/bench/t")"
rm -f "$top/build/bench/floor.db"
/usr/bin/time -f "%e %M" -o "$top/build/bench/t" sqlite3 "$top/build/bench/floor.db" \
	".mode csv" ".import '$csv' customer"
floor=$(cut -d' ' -f1 "$top/build/bench/t")
report "sqlite3 .import (the floor)" "$floor" "$(awk '{ printf "%.1f", $2 / 1024 }' "$top/build/bench/t")"
echo "import / floor: $(awk -v a="$imp" -v b="$floor" 'BEGIN { r = 0; if (b > 0) r = a / b; printf "%.1f", r }')x"
# A second floor: the same rows put by plain SQL into rapport's own schema (the customer table,
# its indexes, the id map and the search index), without validation. What import costs beyond
# it is rapport's checking, ids, clocks and duplicate detection.
rm -rf "$top/build/bench/imp2"
"$bin" init "$top/build/bench/imp2" >/dev/null
/usr/bin/time -f "%e %M" -o "$top/build/bench/t" sqlite3 "$top/build/bench/imp2/.rapport/rapport.db" \
	"PRAGMA cache_size=-262144;" ".mode csv" ".import '$csv' bench_rows" "BEGIN;" \
	"INSERT INTO customer(id, created, updated, author, name, industry, region, stage, website, rev)
	 SELECT lower(hex(randomblob(16))), '2026-11-22T00:00:00Z', '2026-11-22T00:00:00Z', 'bench',
	        name, industry, region, stage, website, '2026-11-22T00:00:00.000Z-0000000000000000' FROM bench_rows;" \
	"INSERT INTO ids(id, kind) SELECT id, 'customer' FROM customer;" \
	"INSERT INTO fts(rowid, kind, body) SELECT n, 'customer', c.name || ' ' || c.industry || ' ' || c.website
	 FROM ids JOIN customer c USING (id);" "COMMIT;"
schema=$(cut -d' ' -f1 "$top/build/bench/t")
report "plain SQL into rapport's schema (floor 2)" "$schema" "$(awk '{ printf "%.1f", $2 / 1024 }' "$top/build/bench/t")"
echo "import / floor 2: $(awk -v a="$imp" -v b="$schema" 'BEGIN { r = 0; if (b > 0) r = a / b; printf "%.1f", r }')x"

# The TUI in tmux: time to the first full screen, to open and jump through big lists, and
# peak memory, measured from outside by polling the screen every 10 ms.
if command -v tmux >/dev/null 2>&1; then
	sock="$top/build/bench/tmux.sock"
	tm() { tmux -S "$sock" "$@"; }
	ms() { date +%s%3N; }
	# until TEXT: waits for TEXT on screen, prints the milliseconds it took since $t0.
	until_on() {
		while ! tm capture-pane -p -t b | grep -q -- "$1"; do sleep 0.01; done
		echo $(($(ms) - t0))
	}
	changed() { # waits until the screen differs from $before, then prints the ms
		while [ "$(tm capture-pane -p -t b)" = "$before" ]; do sleep 0.01; done
		echo $(($(ms) - t0))
	}
	tm kill-server 2>/dev/null
	t0=$(ms)
	tm -f /dev/null new-session -d -s b -x 120 -y 40 \
		"/usr/bin/time -f %M -o '$top/build/bench/tui.rss' '$bin' -C '$dir' tui"
	first=$(until_on "Open alerts")
	t0=$(ms)
	tm send-keys -t b 2
	custs=$(until_on "[0-9]* customers ·")
	before=$(tm capture-pane -p -t b)
	t0=$(ms)
	tm send-keys -t b G
	cend=$(changed)
	tm send-keys -t b : "list interaction" Enter
	t0=$(ms)
	inter=$(until_on "[0-9]* interactions ·")
	before=$(tm capture-pane -p -t b)
	t0=$(ms)
	tm send-keys -t b G
	iend=$(changed)
	before=$(tm capture-pane -p -t b)
	t0=$(ms)
	tm send-keys -t b PageUp
	ipg=$(changed)
	tm send-keys -t b : quit Enter
	while [ ! -s "$top/build/bench/tui.rss" ]; do sleep 0.05; done
	rss=$(awk '{ printf "%.1f", $1 / 1024 }' "$top/build/bench/tui.rss")
	rm -f "$top/build/bench/tui.rss"
	tm kill-server 2>/dev/null
	sec() { awk -v m="$1" 'BEGIN { printf "%.2f", m / 1000 }'; }
	report "tui: first full screen" "$(sec "$first")" "$rss"
	report "tui: open 10,000 customers" "$(sec "$custs")" "-"
	report "tui: jump to the last customer" "$(sec "$cend")" "-"
	report "tui: open 1,000,000 interactions" "$(sec "$inter")" "-"
	report "tui: jump to the last interaction" "$(sec "$iend")" "-"
	report "tui: page up from there" "$(sec "$ipg")" "-"
fi
# Sync: BENCH_SYNC=0 skips it (it copies the 1 GB workspace and clones it twice).
[ "${BENCH_SYNC:-1}" = 1 ] && . "$top/tests/bench/sync.sh"
echo "results in $out"
