# make bench: what each unlock factor costs, in one run.  Three vaults on
# one daemon-secrets: a TPM2 factor (a swtpm, sealed to PCR 7), a key file,
# a password (Argon2id at its default cost, m=19456 KiB t=2).  Each round
# locks the three and times `sesame unlock` of each, in rotating order;
# p50 over the rounds, each as a ratio to the password's.  The peak RSS of
# the unlocking command shows what tpm2-tss costs it (loaded for the TPM
# only).  Results: stdout and bench-results/unlock.md.
bench_name=unlock
. "$(dirname "$0")/common.sh"
R=${BENCH_UNLOCK_ROUNDS:-30}
if ! command -v swtpm >/dev/null || ! command -v /usr/bin/time >/dev/null; then
	echo "bench unlock: skipped: needs swtpm and GNU time (make deps)"
	exit 0
fi
if "$SESAME" tpm2 list -p x 2>&1 | grep -q 'without TPM2 support'; then
	echo "bench unlock: skipped: this sesame is built without TPM2 support"
	exit 0
fi
unset NOTIFY_SOCKET WATCHDOG_USEC
mkdir -p "$T/swtpm"
port=$(( 30000 + $$ % 20000 ))
swtpm socket --tpm2 --tpmstate dir="$T/swtpm" --server type=tcp,port=$port,bindaddr=127.0.0.1 \
	--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear 2>"$T/swtpm.log" &
pids="$pids $!"
export SESAME_TPM2_TCTI="$(printf 'swtpm:host=127.0.0.1,port=%s' $port)"

# one BIN NAME: unlock the vault NAME once with BIN; appends "us rss_kib"
# to $T/BIN-NAME.
one() {
	"$1" lock -p "$2" >/dev/null
	t0=$(date +%s%N)
	if [ "$2" = pw ]; then
		printf 'benchpw\n' | /usr/bin/time -f %M -o "$T/rss" "$1" unlock -p pw >/dev/null
	else
		/usr/bin/time -f %M -o "$T/rss" "$1" unlock -p "$2" --no-prompt </dev/null >/dev/null
	fi
	t1=$(date +%s%N)
	echo "$(( (t1 - t0) / 1000 )) $(tail -n 1 "$T/rss")" >>"$T/$3-$2"
}
p50() { sort -n -k"$2" "$T/$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'; }

# measure BIN LABEL: its own daemons and vaults, R rounds in rotating order.
measure() {
	b=$1 l=$2 d=$T/$2
	export SESAME_RUNTIME_DIR=$d/run SESAME_CONFIG_DIR=$d/cfg SESAME_DATA_DIR=$d/data SESAME_CACHE_DIR=$d/cache
	SESAME_LOG=warn "$b" daemon profile 2>"$d.hub.log" &
	hp=$!
	for i in $(seq 100); do [ -s "$d/run/bus.pub" ] && break; sleep 0.05; done
	SESAME_LOG=warn "$b" daemon secrets 2>"$d.secrets.log" &
	sp=$!
	pids="$pids $hp $sp"
	for i in $(seq 100); do "$b" status 2>/dev/null | grep -q 'roles:.* secrets' && break; sleep 0.05; done
	"$b" init -p tpm --tpm2 --pcrs 7 </dev/null >/dev/null
	"$b" keyfile create "$d/k.key" >/dev/null
	"$b" init -p key --keyfile "$d/k.key" </dev/null >/dev/null
	printf 'benchpw\n' | "$b" init -p pw >/dev/null
	for r in $(seq "$R"); do
		case $((r % 3)) in
		0) one "$b" tpm "$l"; one "$b" key "$l"; one "$b" pw "$l" ;;
		1) one "$b" key "$l"; one "$b" pw "$l"; one "$b" tpm "$l" ;;
		*) one "$b" pw "$l"; one "$b" tpm "$l"; one "$b" key "$l" ;;
		esac
	done
	kill "$hp" "$sp"
	wait "$hp" "$sp" 2>/dev/null || true
}
measure "$SESAME" dynamic
static_bin=$top/build/static/sesame
if [ -x "$static_bin" ] && ! "$static_bin" tpm2 list -p x 2>&1 | grep -q 'without TPM2 support'; then
	measure "$static_bin" static
fi
{
	echo "# sesame bench: unlock by each factor ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $R rounds)"
	echo
	echo "| build | unlock by (whole command: exec, bus, factor, daemon-secrets) | p50 | ratio to the password's | peak RSS of the command (p50) |"
	echo "|---|---|---|---|---|"
	for l in dynamic static; do
		[ -f "$T/$l-pw" ] || continue
		pw=$(p50 "$l-pw" 1)
		what=$([ $l = dynamic ] && echo "dynamic (tpm2-tss, loaded for the TPM)" || echo "static (lib/tpm2/tpm2_mini.c)")
		echo "| $what | password (Argon2id m=19456 KiB, t=2) | $pw us | 1.00 | $(p50 "$l-pw" 2) KiB |"
		for f in tpm:"TPM2 (swtpm over TCP, PCR 7 policy, salted session)" key:"key file"; do
			v=$(p50 "$l-${f%%:*}" 1)
			echo "| $what | ${f#*:} | $v us | $(awk -v a="$v" -v b="$pw" 'BEGIN { printf "%.2f", a / b }') | $(p50 "$l-${f%%:*}" 2) KiB |"
		done
	done
	echo
	echo "tpm2-tss's row includes loading it (dlopen) and the child process each TPM conversation"
	echo "runs in (its 10 s bound); a hardware TPM is slower than swtpm."
} | tee "$out/unlock.md"
