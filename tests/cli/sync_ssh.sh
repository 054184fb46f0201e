# tests/cli/sync_ssh.sh — sync over ssh against a real sshd started here on 127.0.0.1 with a
# throwaway host key, client key and known_hosts: clone and sync work; an unknown host is
# refused with its fingerprint; a key the server does not accept ends with a clear error, not a
# loop. Nothing here touches the machine's own ssh configuration.
. "$(dirname "$0")/../lib.sh"
export RAPPORT_QUIET=1
# Full stacks, so tests/lsan.supp can name the libgit2 ssh leaks precisely.
export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
git config --global user.name "Test Git" && git config --global user.email git@example.com
SSHD=/usr/sbin/sshd
if [ ! -x "$SSHD" ]; then
	bad "no $SSHD: make deps installs openssh-server"
	finish
fi
me=$(id -un)
mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" -C host
ssh-keygen -q -t ed25519 -N '' -f "$HOME/.ssh/id_ed25519" -C client
ssh-keygen -q -t ed25519 -N '' -f "$T/otherkey" -C other
cp "$HOME/.ssh/id_ed25519.pub" "$T/authorized_keys"
chmod 600 "$T/authorized_keys"
[ "$(id -u)" -eq 0 ] && mkdir -p /run/sshd
# A port nobody listens on (the kernel's choice), not a guess that may be taken.
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile $T/sshd.pid
SetEnv PATH=/usr/local/bin:/usr/bin:/bin
CFG
"$SSHD" -f "$T/sshd_config" -D -e 2>"$T/sshd.log" &
sshd_pid=$!
trap 'kill $sshd_pid 2>/dev/null' EXIT
for i in 1 2 3 4 5 6 7 8 9 10; do
	(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
	python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$port)))" && break
	sleep 0.5
done
git init -q --bare -b main remote.git
URL="ssh://$me@127.0.0.1:$port$T/remote.git"

# An unknown host is refused, with the fingerprint to check.
: >"$HOME/.ssh/known_hosts"
rp clone "$URL" X
status_is 1 "clone from an unknown host"
err_has "not in ~/.ssh/known_hosts"
err_has "SHA256:"
[ ! -e X ] && ok || bad "a refused clone left X behind"

echo "[127.0.0.1]:$port $(cat "$T/hostkey.pub")" >"$HOME/.ssh/known_hosts"

ok_run init A
ok_run -C A add customer name=Contoso
ok_run -C A remote add origin "$URL"
ok_run -C A sync
out_has "Pushed to origin"
ok_run clone "$URL" B
ok_run -C B list customer
out_has Contoso
ok_run -C B set Contoso industry=Over-ssh
ok_run -C B sync
ok_run -C A sync
ok_run -C A show Contoso
out_has Over-ssh

# A key the server does not accept: a clear error, and it ends (no credential loop).
cp "$T/otherkey" "$HOME/.ssh/id_ed25519"
cp "$T/otherkey.pub" "$HOME/.ssh/id_ed25519.pub"
ok_run -C B set Contoso industry=Never-sent
start=$(date +%s)
timeout 60 "$RAPPORT_BIN" -C B sync >"$T/.out" 2>"$T/.err"
STATUS=$?
ERR=$(cat "$T/.err")
status_is 1 "sync with a rejected key"
err_has "authentication failed"
err_has "id_ed25519"
[ $(( $(date +%s) - start )) -lt 50 ] && ok || bad "a rejected key took too long (a loop?)"
finish
