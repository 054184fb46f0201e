# tests/cli/sync_random.sh — the randomized sync test (tests/sync_random.py) at the size `make
# check` affords: three replicas, a plain-git clone and a bare remote; every kind, custom fields
# added mid-run, hand edits valid and invalid, clock skew, whole-record rules. All replicas must
# end identical and every value ever written must be current, kept as a conflict, or held with
# its reason. A fixed seed keeps it reproducible; RAPPORT_RANDOM_SEED and RAPPORT_RANDOM_ROUNDS
# explore others, and `make soak` runs 10,000 rounds and more on the release build.
. "$(dirname "$0")/../lib.sh"
git config --global user.name "Test Git" && git config --global user.email git@example.com
out=$(python3 "$TOP/tests/sync_random.py" "$RAPPORT_BIN" "$T" "${RAPPORT_RANDOM_ROUNDS:-250}" \
	"${RAPPORT_RANDOM_SEED:-7}" 2>&1)
if [ $? -eq 0 ]; then ok; else bad "randomized sync: $out (last commands: $(tail -n 8 "$T/actions.log"))"; fi
echo "$out" | head -1
finish
