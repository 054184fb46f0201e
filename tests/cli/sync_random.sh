# tests/cli/sync_random.sh — the randomized three-replica sync test (tests/sync_random.py): many
# rounds of random edits, deletes and syncs; all replicas must end identical, and every value
# ever written must be current or kept as a conflict. A fixed seed keeps it reproducible; set
# RAPPORT_RANDOM_SEED to explore others.
. "$(dirname "$0")/../lib.sh"
git config --global user.name "Test Git" && git config --global user.email git@example.com
out=$(python3 "$TOP/tests/sync_random.py" "$RAPPORT_BIN" "$T" "${RAPPORT_RANDOM_ROUNDS:-200}" \
	"${RAPPORT_RANDOM_SEED:-7}" 2>&1)
if [ $? -eq 0 ]; then ok; else bad "randomized sync: $out"; fi
echo "$out" | head -1
finish
