# lib.sh - TAP helpers for the shell integration tests (sourced).
# $SESAME is the binary under test (make check sets it); $T a scratch dir
# removed on exit.

: "${SESAME:?run through make check, or set SESAME to the binary}"
: "${SESAME_SRC:=$(cd "$(dirname "$0")/.." && pwd)}"
T=$(mktemp -d "${TMPDIR:-/tmp}/sesame-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
_n=0 _failed=0

ok() { # ok CONDITION-EXIT-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
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
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}
