#!/bin/sh
# tests/bench/sync.sh — sync cost against workspace size, sourced by tests/bench/run.sh (which
# provides $bin, $dir — the large demo workspace — report and the build/bench directory).
# Each step runs once (they change state) and is paired with plain git doing the same work on
# the same tree of files (a clone of the same remote), so the ratio says what rapport adds:
#   first full snapshot · push of it · clone · commit of one changed record (with push) on
#   the small and the large workspace · pull of 100 changed records.
sb="$top/build/bench/sync"
rm -rf "$sb"
mkdir -p "$sb"
export RAPPORT_QUIET=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com \
	GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
t() { /usr/bin/time -f "%e %M" -o "$top/build/bench/t" "$@" >/dev/null 2>"$sb/err" || { echo "failed: $*"; cat "$sb/err"; }; }
secs() { cut -d' ' -f1 "$top/build/bench/t"; }
mib() { awk '{ printf "%.1f", $2 / 1024 }' "$top/build/bench/t"; }
rep() { report "$1" "$(secs)" "$(mib)"; eval "$2=$(secs)"; }
ratio() { awk -v a="$2" -v b="$3" 'BEGIN { printf "%-44s %7.2fx\n", "'"$1"'", (b > 0 ? a / b : 0) }'; }

# A copy, so the workspace the other benchmarks use stays unsynced and comparable.
cp -a "$dir" "$sb/ws"
git init -q --bare -b main "$sb/remote.git"
t "$bin" -C "$sb/ws" sync
rep "sync: first full snapshot (1.58M records)" snap
"$bin" -C "$sb/ws" remote add origin "$sb/remote.git" >/dev/null
t "$bin" -C "$sb/ws" push
rep "sync: push of the first snapshot" push1
du -sm "$sb/ws/.rapport/snapshots.git" | awk '{ print "snapshot repository: " $1 " MiB" }'
t "$bin" clone "$sb/remote.git" "$sb/clone"
rep "sync: clone (1.58M records)" clone
t git clone -q "$sb/remote.git" "$sb/plain"
rep "git: clone with checkout (same remote)" gclone

cust=$("$bin" -C "$sb/ws" list customer --limit 1 --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -1)
"$bin" -C "$sb/ws" set "$cust" industry=Changed >/dev/null
t "$bin" -C "$sb/ws" sync
rep "sync: one changed record (large)" one
path=$(cd "$sb/plain" && echo customer/*/"$cust")
sed -i 's/^industry .*/industry Changed by git/' "$sb/plain/$path"
t sh -c "cd '$sb/plain' && git add '$path' && git commit -qm one && git push -q origin HEAD:refs/heads/plain"
rep "git: commit + push one changed file" gone

# The same one-record sync on the small demo: the cost must not grow with the workspace.
"$bin" demo "$sb/small" >/dev/null
git init -q --bare -b main "$sb/small.git"
"$bin" -C "$sb/small" remote add origin "$sb/small.git" >/dev/null
"$bin" -C "$sb/small" sync >/dev/null
scust=$("$bin" -C "$sb/small" list customer --limit 1 --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -1)
"$bin" -C "$sb/small" set "$scust" industry=Changed >/dev/null
t "$bin" -C "$sb/small" sync
rep "sync: one changed record (small demo)" onesmall

# 100 records changed in the clone, pulled by the first workspace.
"$bin" -C "$sb/clone" list task --limit 100 --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' >"$sb/ids"
while read -r id; do "$bin" -C "$sb/clone" set "$id" progress=50 >/dev/null; done <"$sb/ids"
"$bin" -C "$sb/clone" sync >/dev/null
t "$bin" -C "$sb/ws" pull
rep "sync: pull 100 changed records (large)" pull
(cd "$sb/plain" && git fetch -q origin main && git reset -q --hard "origin/main~1" 2>/dev/null)
t sh -c "cd '$sb/plain' && git pull -q --ff-only origin main"
rep "git: pull the same 100 changed files" gpull

echo
echo "rapport against plain git on the same tree:"
ratio "clone" "$clone" "$gclone"
ratio "commit + push of one change" "$one" "$gone"
ratio "pull of 100 changes" "$pull" "$gpull"
ratio "one change: large / small workspace" "$one" "$onesmall"
rm -rf "$sb"
