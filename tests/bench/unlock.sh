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
export SESAME_RUNTIME_DIR=$T/run SESAME_CONFIG_DIR=$T/cfg SESAME_DATA_DIR=$T/data SESAME_CACHE_DIR=$T/cache
unset NOTIFY_SOCKET WATCHDOG_USEC
mkdir -p "$T/swtpm"
port=$(( 30000 + $$ % 20000 ))
swtpm socket --tpm2 --tpmstate dir="$T/swtpm" --server type=tcp,port=$port,bindaddr=127.0.0.1 \
	--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear 2>"$T/swtpm.log" &
pids="$pids $!"
export SESAME_TPM2_TCTI="swtpm:host=127.0.0.1,port=$port"
SESAME_LOG=warn "$SESAME" daemon profile 2>"$T/hub.log" &
pids="$pids $!"
for i in $(seq 100); do [ -s "$T/run/bus.pub" ] && break; sleep 0.05; done
SESAME_LOG=warn "$SESAME" daemon secrets 2>"$T/secrets.log" &
pids="$pids $!"
for i in $(seq 100); do "$SESAME" status 2>/dev/null | grep -q 'roles:.* secrets' && break; sleep 0.05; done
"$SESAME" init -p tpm --tpm2 --pcrs 7 </dev/null >/dev/null
"$SESAME" keyfile create "$T/k.key" >/dev/null
"$SESAME" init -p key --keyfile "$T/k.key" </dev/null >/dev/null
printf 'benchpw\n' | "$SESAME" init -p pw >/dev/null

# one NAME: unlock the vault NAME once; appends "us rss_kib" to $T/NAME.
one() {
	"$SESAME" lock -p "$1" >/dev/null
	t0=$(date +%s%N)
	if [ "$1" = pw ]; then
		printf 'benchpw\n' | /usr/bin/time -f %M -o "$T/rss" "$SESAME" unlock -p pw >/dev/null
	else
		/usr/bin/time -f %M -o "$T/rss" "$SESAME" unlock -p "$1" --no-prompt </dev/null >/dev/null
	fi
	t1=$(date +%s%N)
	echo "$(( (t1 - t0) / 1000 )) $(tail -n 1 "$T/rss")" >>"$T/$1"
}
for r in $(seq "$R"); do
	case $((r % 3)) in
	0) one tpm; one key; one pw ;;
	1) one key; one pw; one tpm ;;
	*) one pw; one tpm; one key ;;
	esac
done
p50() { sort -n -k"$2" "$T/$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'; }
tpm=$(p50 tpm 1) key=$(p50 key 1) pw=$(p50 pw 1)
{
	echo "# sesame bench: unlock by each factor ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $R rounds)"
	echo
	echo "| unlock (whole command: exec, bus, factor, daemon-secrets) | p50 | ratio to the password's | peak RSS of the command (p50) |"
	echo "|---|---|---|---|"
	echo "| password (Argon2id m=19456 KiB, t=2) | $pw us | 1.00 | $(p50 pw 2) KiB |"
	echo "| TPM2 (swtpm over TCP, PCR 7 policy, salted session) | $tpm us | $(awk -v a="$tpm" -v b="$pw" 'BEGIN { printf "%.2f", a / b }') | $(p50 tpm 2) KiB |"
	echo "| key file | $key us | $(awk -v a="$key" -v b="$pw" 'BEGIN { printf "%.2f", a / b }') | $(p50 key 2) KiB |"
	echo
	echo "The TPM's row includes loading tpm2-tss (dlopen) and a child process per TPM"
	echo "conversation (the 10 s bound); a hardware TPM is slower than swtpm."
} | tee "$out/unlock.md"
