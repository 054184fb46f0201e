# edit.sh — `rapport edit`: a record as text in $EDITOR, applied all-or-nothing with the checks
# of `set`; a rejected edit keeps the user's text and the next edit resumes it.
. "$TOP/tests/lib.sh"

rp init ws
WS=$T/ws
cd ws
rp add customer name=Contoso stage=lead "note=first line"
C=$OUT
rp add contact customer=Contoso name="Li Wei"
L=$OUT

# An "editor" is any program given the file's path: here, shell scripts read from stdin.
ed() { { echo '#!/bin/sh'; cat; } >"$T/ed"; chmod +x "$T/ed"; }

ed <<'ED'
sed -i -e 's/^stage .*/stage active/' -e 's/^industry$/industry Manufacturing/' -e '/^region/d' \
	-e 's/^note .*/note changed\n  and continued/' "$1"
ED
EDITOR=$T/ed ok_run edit "$C"
out_has "Saved customer"
ok_run show "$C" --json
eq "$(printf '%s' "$OUT" | jq -r .record.stage)" active "stage from the editor"
eq "$(printf '%s' "$OUT" | jq -r .record.industry)" Manufacturing "a bare name filled in"
eq "$(printf '%s' "$OUT" | jq -r .record.note)" "changed
and continued" "long text over a continuation line"
[ ! -e .rapport/edit-$C.txt ] && ok || bad "the edit file was left behind after success"

# The text the editor sees: every field in schema order, unset ones bare.
ed <<ED
cp "\$1" '$T/seen'
ED
EDITOR=$T/ed ok_run edit "$C"
out_has "No changes to customer"
grep -q '^# Editing customer' "$T/seen" && ok || bad "no header comment"
eq "$(grep -v '^#' "$T/seen" | cut -d' ' -f1 | tr '\n' ' ')" "name industry region size stage owner parent website address tags renewal_intent stage_since note  " "fields in schema order"

# Clearing by a bare name; references by name.
ed <<'ED'
sed -i -e 's/^industry .*/industry/' "$1"
ED
EDITOR=$T/ed ok_run edit "$C"
ok_run show "$C" --json
eq "$(printf '%s' "$OUT" | jq -r .record.industry)" null "a bare name clears"
rp add customer name=Fabrikam
ed <<'ED'
sed -i -e 's/^customer .*/customer Fabrikam/' "$1"
ED
EDITOR=$T/ed ok_run edit "$L"
ok_run show "$L"
out_has "Customer         Fabrikam"

# Bad text: exit 2, nothing changes, the text is kept, and the next edit resumes it.
ed <<'ED'
sed -i -e 's/^stage .*/stage happy/' -e 's/^size$/size large/' "$1"
ED
EDITOR=$T/ed rejects "field 'stage': 'happy' is not one of" edit "$C"
err_has "your text is kept"
[ -f .rapport/edit-$C.txt ] && ok || bad "the rejected text was not kept"
ed <<'ED'
sed -i -e 's/^stage .*/stage loyal/' "$1"
ED
EDITOR=$T/ed ok_run edit "$C"
err_has "resuming your unsaved edit"
ok_run show "$C" --json
eq "$(printf '%s' "$OUT" | jq -r '.record.stage + " " + .record.size')" "loyal large" "the resumed text, fixed, was applied whole"
ed <<'ED'
printf 'colour red\n' >>"$1"
ED
EDITOR=$T/ed rejects "line 18: customer has no field 'colour'" edit "$C"
rm -f .rapport/edit-$C.txt
ed <<'ED'
printf 'name a\\qb\n' >"$1"
ED
EDITOR=$T/ed rejects "line 1: '\\' starts an escape" edit "$C"
rm -f .rapport/edit-$C.txt
ed <<'ED'
sed -i -e 's/^name .*/name/' "$1"
ED
EDITOR=$T/ed rejects "field 'name' is required" edit "$C"
rm -f .rapport/edit-$C.txt
# An editor that fails, and an emptied file: nothing changes.
echo 'exit 3' | ed
EDITOR=$T/ed rp edit "$C"
status_is 1 "a failing editor:"
err_has "the editor"
rm -f .rapport/edit-$C.txt
ed <<'ED'
: >"$1"
ED
EDITOR=$T/ed ok_run edit "$C"
out_has "Cancelled"
rp rm "$C"
EDITOR=$T/ed rejects "is deleted" edit "$C"
rejects "edit: which record?" edit
finish
