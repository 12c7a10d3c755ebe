# lib.sh - TAP helpers for the shell integration tests (sourced).
# $SESAME is the binary under test (make check sets it); $T a scratch dir
# removed on exit (kept, and named on stderr, with SESAME_KEEP=1).

: "${SESAME:?run through make check, or set SESAME to the binary}"
: "${SESAME_SRC:=$(cd "$(dirname "$0")/.." && pwd)}"
T=$(mktemp -d "${TMPDIR:-/tmp}/sesame-test.XXXXXX")
_pids=
cleanup() {
	for p in $_pids; do kill "$p" 2>/dev/null; done
	for p in $_pids; do wait "$p" 2>/dev/null; done
	if [ "${SESAME_KEEP:-0}" = 1 ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
_n=0 _failed=0

# spawn CMD...: run in the background, killed when the test ends; the pid
# is in $spawned.
spawn() {
	"$@" &
	spawned=$!
	_pids="$_pids $spawned"
}

# wait_for SECONDS CMD...: retry CMD every 50 ms until it succeeds.
wait_for() {
	_end=$(( $(date +%s) + $1 )); shift
	until "$@"; do
		[ "$(date +%s)" -le "$_end" ] || return 1
		sleep 0.05
	done
}

diag() { echo "# $*"; }

# Paths for a private bus under $T.
use_private_paths() {
	export SESAME_RUNTIME_DIR="$T/run" SESAME_CONFIG_DIR="$T/cfg" SESAME_DATA_DIR="$T/data" \
		SESAME_CACHE_DIR="$T/cache"
	unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
}

# under_qemu: when SESAME_QEMU names the emulator $SESAME runs in (make
# check-cross), sets $hub_args and the configuration for it (else $hub_args
# is empty).  Under qemu-user every process's executable is the emulator,
# and neither Landlock nor seccomp can confine the emulated program (they
# would confine qemu): the hub is told to take the emulator's processes as
# roles, and the sandbox is best-effort.  So such a run does not test the
# peer check or the sandbox; the native one does.
under_qemu() {
	hub_args=
	[ -n "${SESAME_QEMU:-}" ] || return 0
	diag "under $SESAME_QEMU: --role-exe $(command -v "$SESAME_QEMU"), global.sandbox = best-effort"
	hub_args="--role-exe $(command -v "$SESAME_QEMU")"
	mkdir -p "$SESAME_CONFIG_DIR"
	printf '[global]\nsandbox = "best-effort"\n' >"$SESAME_CONFIG_DIR/config.toml"
}

# start_hub [ARGS...]: daemon-profile in the background, ready when
# bus.pub exists; its log is $T/hub.log, its pid $HUB.
# start_ssh_agent: a real OpenSSH ssh-agent on $T/agent.sock
# (SSH_AUTH_SOCK exported), or skip the whole test, saying why.
start_ssh_agent() {
	for tool in ssh-agent ssh-add ssh-keygen; do
		if ! command -v $tool >/dev/null; then
			skip "$tool is not installed (make deps installs openssh-client)"
			done_testing; exit
		fi
	done
	export SSH_AUTH_SOCK="$T/agent.sock"
	spawn ssh-agent -D -a "$SSH_AUTH_SOCK" >/dev/null
	wait_for 5 test -S "$SSH_AUTH_SOCK"
}

# start_swtpm [NAME]: a fresh swtpm (TPM 2.0 simulator) with its state in
# $T/NAME (default swtpm), on a free local port; its TCTI string is in
# $TCTI, its pid in $SWTPM.  Skips the whole test if swtpm or tpm2-tools
# are missing, or this sesame has no TPM2 support.
start_swtpm() {
	for tool in swtpm tpm2_pcrextend; do
		if ! command -v $tool >/dev/null; then
			skip "$tool is not installed (make deps installs swtpm and tpm2-tools)"
			done_testing; exit
		fi
	done
	if "$SESAME" tpm2 enroll -p x --pcrs x 2>&1 | grep -q 'without TPM2 support'; then
		skip "this sesame is built without TPM2 support (TPM2=0)"
		done_testing; exit
	fi
	_d="$T/${1:-swtpm}"
	mkdir -p "$_d"
	for _try in 1 2 3 4 5 6 7 8; do
		_port=$(( 20000 + ($$ * 7 + _try * 131 + $(date +%N | sed 's/^0*//;s/^$/0/') % 9973) % 40000 ))
		rm -f "$_d/pid"
		spawn swtpm socket --tpm2 --tpmstate dir="$_d" --pid file="$_d/pid" \
			--server type=tcp,port=$_port,bindaddr=127.0.0.1 \
			--ctrl type=tcp,port=$((_port + 1)),bindaddr=127.0.0.1 \
			--flags not-need-init,startup-clear 2>>"$_d.log"
		SWTPM=$spawned
		TCTI="swtpm:host=127.0.0.1,port=$_port"
		if wait_for 5 sh -c "test -s '$_d/pid' || ! kill -0 $SWTPM 2>/dev/null" && kill -0 $SWTPM 2>/dev/null &&
		    tpm2_getcap -T "$TCTI" properties-fixed >/dev/null 2>&1; then
			return 0
		fi
		kill $SWTPM 2>/dev/null
	done
	echo "Bail out! swtpm did not start (see $_d.log)"
	exit 1
}

start_hub() {
	rm -f "$SESAME_RUNTIME_DIR/bus.pub"
	spawn "$SESAME" daemon profile "$@" 2>>"$T/hub.log"
	HUB=$spawned
	wait_for 10 test -s "$SESAME_RUNTIME_DIR/bus.pub"
}

# start_secrets: daemon-secrets in the background, ready once the hub
# lists the role; its log is $T/secrets.log, its pid $SECRETS.
start_secrets() {
	spawn "$SESAME" daemon secrets "$@" 2>>"$T/secrets.log"
	SECRETS=$spawned
	wait_for 10 sh -c "'$SESAME' status 2>/dev/null | grep -q 'roles:.* secrets'"
}

stop_secrets() {
	kill "$SECRETS" 2>/dev/null
	wait "$SECRETS" 2>/dev/null
}

stop_hub() {
	kill "$HUB" 2>/dev/null
	wait "$HUB" 2>/dev/null
}

ok() { # ok CONDITION-EXIT-STATUS DESCRIPTION; returns 1 if it failed
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
		return 1
	fi
}

# run CMD...: capture stdout in $T/out, stderr in $T/err, status in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
	fi
}

contains() { # contains FILE STRING DESCRIPTION
	if grep -qF -- "$2" "$1"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   %s does not contain: %s\n' "$1" "$2"
		sed 's/^/#   | /' "$1" | head -20
	fi
}

skip() { # skip REASON
	_n=$((_n + 1))
	echo "ok $_n # skip $1"
}

done_testing() {
	# A sanitizer's report in a daemon's log is a failure of its own
	# (make check TSAN=1, SANITIZE=1): daemons' stderr is only logged.
	for _l in "$T"/*.log; do
		[ -f "$_l" ] || continue
		if grep -q 'WARNING: ThreadSanitizer\|ERROR: AddressSanitizer\|runtime error:' "$_l"; then
			ok 1 "no sanitizer report in ${_l##*/}"
			grep -A30 -m1 'WARNING: ThreadSanitizer\|ERROR: AddressSanitizer\|runtime error:' "$_l" |
				sed 's/^/# /'
		else
			ok 0 "no sanitizer report in ${_l##*/}"
		fi
	done
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}
