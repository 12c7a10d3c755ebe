#!/bin/sh
# The sandbox of each role: seccomp in filter mode and no_new_privs as the
# kernel shows them, Landlock refusing a path outside the role's rules
# (EACCES) while allowing one inside, and a forbidden syscall killing the
# role with the violation logged.
. "$(dirname "$0")/lib.sh"
use_private_paths
landlock=$(perl -e 'print syscall(444, 0, 0, 1)' 2>/dev/null || echo 0)
if [ "${landlock:-0}" -lt 1 ]; then
	skip "this kernel has no Landlock (the daemons refuse to start without global.sandbox = \"best-effort\")"
	done_testing; exit
fi
start_hub
start_secrets
for role in profile secrets; do
	pid=$(eval echo \$$( [ $role = profile ] && echo HUB || echo SECRETS ))
	grep -q '^Seccomp:[[:space:]]*2$' "/proc/$pid/status"; ok $? "daemon-$role runs under a seccomp filter (Seccomp: 2)"
	grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$pid/status"; ok $? "daemon-$role has NoNewPrivs: 1"
done
contains "$T/hub.log" "sandbox: landlock=abi" "daemon-profile logs its sandbox"
contains "$T/secrets.log" "sandbox: landlock=abi" "daemon-secrets logs its sandbox"

spawn "$SESAME" daemon snippets 2>"$T/snippets.log"
SNIPPETS=$spawned
wait_for 10 sh -c "'$SESAME' status --sandbox | grep -q 'sandbox snippets: pid $SNIPPETS, landlock=abi'"
run "$SESAME" status --sandbox
ok "$rc" "status --sandbox"
contains "$T/out" "sandbox profile: pid $HUB, landlock=abi" "it shows the hub's Landlock ABI"
contains "$T/out" "sandbox secrets: pid $SECRETS, landlock=abi" "and daemon-secrets'"
contains "$T/out" "sandbox snippets: pid $SNIPPETS, landlock=abi" "and any other role's, as it tells the hub"
contains "$T/out" "(kernel: Seccomp 2, NoNewPrivs 1)" "with the kernel's view"
run "$SESAME" status --sandbox --json
perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>); exit !($j->{sandbox}{secrets}{seccomp} == 2)' <"$T/out"
ok $? "and as JSON"

# status --doctor judges the same, and the kernel's side.
run "$SESAME" status --doctor
ok "$rc" "status --doctor exits 0: no check failed"
for c in profile.seccomp profile.no_new_privs profile.landlock profile.core_dumps \
	secrets.seccomp secrets.no_new_privs secrets.landlock secrets.core_dumps snippets.landlock; do
	grep -q "^ok   $c " "$T/out"; ok $? "status --doctor: $c ok"
done
kill "$SNIPPETS"; wait "$SNIPPETS" 2>/dev/null
grep -Eq '^[0-9]+ passed, [0-9]+ warnings?, 0 failed$' "$T/out"; ok $? "and counts them at the end"
run "$SESAME" status --doctor --json
perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
	my ($c) = grep { $_->{id} eq "secrets.seccomp" } @{$j->{checks}};
	exit !($c && $c->{status} eq "pass" && $j->{summary}{fail} == 0)' <"$T/out"
ok $? "and as JSON"
run "$SESAME" status --doctor --sandbox
is "$rc" 2 "--doctor with --sandbox is a usage error"

# The original's doctor options: categories, --output, --exit-code, --quiet.
run "$SESAME" status --doctor=platform
grep -v '^ ' "$T/out" | grep -v 'passed,' | grep -v ' tpm2\.device' | grep -qv ' kernel\.'; [ $? -ne 0 ]
ok $? "--doctor=platform runs only the kernel's checks (and the TPM's)"
contains "$T/out" "kernel.version" "and runs them"
run "$SESAME" status --doctor sandbox,vault
grep -Eq '^(ok|warn|FAIL) +(bus|kernel\.|[a-z]+\.(core_dumps|swap))' "$T/out"; [ $? -ne 0 ]
ok $? "--doctor sandbox,vault (the list as its own word) leaves the other categories out"
contains "$T/out" "secrets.seccomp" "and has the sandbox's checks"
contains "$T/out" "audit.log" "and the vault's"
run "$SESAME" status --doctor=memory --output json
perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
	exit !(@{$j->{checks}} && !grep { $_->{category} ne "memory" } @{$j->{checks}})' <"$T/out"
ok $? "--output json gives JSON, each check with its category"
run "$SESAME" status --doctor=nonsense
is "$rc" 2 "an unknown category is a usage error"
contains "$T/err" "unknown category 'nonsense' (daemon, sandbox, memory, vault, platform, all)" \
	"that names the categories"
run "$SESAME" status --exit-code
is "$rc" 2 "--exit-code without --doctor is a usage error"

# Memory against the cgroup's limit (systemd's MemoryMax=): each role's
# RSS, a warning past half the limit.  A child cgroup of the v1 memory
# controller (where this machine has one) holds daemon-secrets meanwhile.
run "$SESAME" status --doctor=memory
grep -Eq "^ok   secrets\.memory +RSS [0-9.]+ MiB" "$T/out"; ok $? "--doctor shows each role's RSS"
cg=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
base=/sys/fs/cgroup/memory$cg
if [ -n "$cg" ] && [ -w "$base" ] && mkdir "$base/sesame-test-$$" 2>/dev/null; then
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SECRETS/status")
	echo $((rss * 1024 * 3 / 2)) >"$base/sesame-test-$$/memory.limit_in_bytes"
	echo "$SECRETS" >"$base/sesame-test-$$/cgroup.procs"
	run "$SESAME" status --doctor=memory
	grep -Eq "^warn secrets\.memory +RSS [0-9.]+ MiB of its cgroup's [0-9.]+ MiB" "$T/out"
	ok $? "a role past half its cgroup's memory limit is a warning"
	contains "$T/out" "MemoryMax=" "whose hint names what to raise"
	echo "$SECRETS" >"$base/cgroup.procs"
	rmdir "$base/sesame-test-$$"
else
	skip "no writable cgroup v1 memory controller here to set a limit in"
	skip "no writable cgroup v1 memory controller here to set a limit in"
fi

# Landlock: outside the rules EACCES, inside allowed.
stop_secrets
outside=$(mktemp "$T/../sandbox-outside.XXXXXX")
SESAME_SANDBOX_SELFTEST="open:$outside" start_secrets
contains "$T/secrets.log" "sandbox self-test: open $outside: Permission denied" \
	"daemon-secrets cannot open a file outside its rules (EACCES)"
stop_secrets
SESAME_SANDBOX_SELFTEST="open:$SESAME_DATA_DIR/audit.jsonl" start_secrets
contains "$T/secrets.log" "open $SESAME_DATA_DIR/audit.jsonl: allowed" "but can open its own data"
rm -f "$outside"

# seccomp: a forbidden syscall kills the role, and says which.
stop_secrets
SESAME_SANDBOX_SELFTEST=syscall "$SESAME" daemon secrets 2>"$T/die.log" &
dpid=$!
wait "$dpid"; st=$?
is "$st" 159 "a forbidden syscall kills daemon-secrets (exit 128+SIGSYS)"
contains "$T/die.log" "seccomp violation: syscall=" "the violation is logged"
contains "$T/die.log" "(acct)" "with the syscall's name"

stop_hub
SESAME_SANDBOX_SELFTEST=open:/etc/hostname start_hub
contains "$T/hub.log" "sandbox self-test: open /etc/hostname: Permission denied" \
	"daemon-profile cannot read /etc/hostname either"
stop_hub
SESAME_SANDBOX_SELFTEST=syscall "$SESAME" daemon profile 2>"$T/die2.log" &
dpid=$!
wait "$dpid"; st=$?
is "$st" 159 "a forbidden syscall kills daemon-profile too"
contains "$T/die2.log" "seccomp violation: syscall=" "logged the same way"

run "$SESAME" status --doctor
is "$rc" 1 "with no daemon-profile running, status --doctor fails"
contains "$T/out" "FAIL bus" "on its bus check"
contains "$T/out" "kernel.memfd_secret" "and still checks the kernel"
run "$SESAME" status --doctor=sandbox
contains "$T/out" "FAIL bus" "a category that needs the bus reports it down"
run "$SESAME" status --doctor=platform
ok "$rc" "one that does not, does not fail for it"

# --exit-code: 2 for a warning (daemon-secrets not connected), 1 for a
# failure; --quiet: the same code, nothing printed.
start_hub
run "$SESAME" status --doctor=daemon --exit-code
is "$rc" 2 "--exit-code: a warning exits 2"
contains "$T/out" "warn roles.secrets" "(daemon-secrets is not connected)"
run "$SESAME" status --doctor=daemon
ok "$rc" "without it, a warning exits 0"
run "$SESAME" status --doctor=daemon --quiet
is "$rc" 2 "--quiet exits as --exit-code does"
is "$(cat "$T/out")" "" "and prints nothing"

# Restarts, and roles that went: the hub counts each role's connections.
gone() { wait_for 10 sh -c "! '$SESAME' status 2>/dev/null | grep -q 'roles:.* secrets'"; }
start_secrets
run "$SESAME" status --doctor=daemon --exit-code
ok "$rc" "a role connected once: nothing to warn of"
grep -Eq "^ok   secrets\.restarts +0; connected for [0-9]+s$" "$T/out"
ok $? "no restarts, and how long it has been connected"
stop_secrets; gone
run "$SESAME" status --doctor=daemon --exit-code
is "$rc" 2 "a role that was connected and went is a warning"
grep -Eq "^warn secrets\.running +not connected for [0-9]+s \(it connected 1 time\)$" "$T/out"
ok $? "named, with how long it has been gone"
! grep -q "roles\.secrets" "$T/out"; ok $? "and not reported a second time as never connected"
start_secrets
run "$SESAME" status --doctor=daemon --output json
grep -q '"id":"secrets.restarts","category":"daemon","status":"warn","value":"1; connected for ' "$T/out"
ok $? "back again: one restart, a warning (JSON)"
for i in 1 2 3; do stop_secrets; gone; start_secrets; done
run "$SESAME" status --doctor=daemon
is "$rc" 1 "past 3 restarts the check fails"
grep -Eq "^FAIL secrets\.restarts +4; connected for" "$T/out"; ok $? "and says how many"
stop_secrets
stop_hub
run "$SESAME" status --doctor -q
is "$rc" 1 "a failure exits 1, quietly too"
done_testing
