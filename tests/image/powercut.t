#!/usr/bin/python3
# Power cut: QEMU killed while a loop of secret set runs on the console.
# On the next boot the vault opens, every write that was acknowledged
# (printed after sesame secret set exited 0) is there with its value, and
# the audit chain verifies.
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import PASSWORD, init_device, scenario  # noqa: E402

WANT = 25   # acknowledged writes before the plug is pulled


def body(tap, m):
    m.start()
    tap.ok(m.wait_roles(("secrets",), 15), "the bus is up")
    init_device(tap, m)
    m.note("a loop of secret set; the power is cut after %d acknowledgements" % WANT)
    off = m.offset()
    m.child.sendline("i=0; while :; do i=$((i + 1)); printf 'value-%s' $i | "
                     "sesame secret set -p device key-$i >/dev/null && echo ACK=$i; done")
    acked = 0
    deadline = time.monotonic() + m.slow(120)
    while acked < WANT and time.monotonic() < deadline:
        m.expect(r"ACK=(\d+)\r", m.slow(30), "an acknowledged write")
        acked = int(m.child.match.group(1))
    # Cut in the middle of the next write, not between two.
    time.sleep(0.15)
    m.power_cut()
    # Every acknowledgement the console showed before the cut counts.
    acked = max([acked] + [int(x) for x in re.findall(r"ACK=(\d+)\n", m.transcript_since(off))])
    tap.ok(acked >= WANT, "%d writes acknowledged, then the power cut" % acked)

    m.start()
    tap.ok(m.wait_roles(("secrets",), 15), "the next boot: the bus is up")
    rc, out = m.run("dmesg | grep -i 'EXT4-fs.*\\(error\\|recover\\)'; true")
    tap.diag("the data disk's journal on mount: %s" % (out.strip() or "nothing to recover"))
    rc, out = m.run("sesame unlock -p device", 60, answers=[("[Pp]assword[^\n]*: ", PASSWORD)])
    tap.is_(rc, 0, "the vault opens")
    rc, out = m.run("n=0; for i in $(seq 1 %d); do v=$(sesame secret get -p device key-$i) && "
                    "[ \"$v\" = value-$i ] || { echo MISSING key-$i; n=$((n + 1)); }; done; echo missing=$n"
                    % acked, 120)
    tap.ok(rc == 0 and "missing=0" in out, "all %d acknowledged writes are there, with their values" % acked, out)
    rc, out = m.run("sesame secret list -p device | wc -l")
    tap.diag("the vault holds %s keys (the one being written at the cut may or may not be there)"
             % out.strip())
    rc, out = m.run("sesame audit verify")
    tap.ok(rc == 0 and "intact" in out, "sesame audit verify: the chain is intact", out)
    rc, out = m.run("grep -c '\"event\":\"secret.set\",.*\"outcome\":\"ok\"' /var/lib/pds/audit.jsonl")
    tap.ok(out.strip().isdigit() and int(out) >= acked,
           "the audit log holds a secret.set line for each acknowledged write (%s for %d)"
           % (out.strip(), acked), out)
    rc, out = m.run("printf 'after' | sesame secret set -p device after-cut && sesame secret get -p device after-cut")
    tap.ok(rc == 0 and out.endswith("after"), "and the vault takes writes again", out)
    rc, out = m.run("sesame audit verify")
    tap.ok(rc == 0 and "intact" in out, "the chain still verifies after a new entry", out)
    m.poweroff()


scenario("powercut", body, boot="busybox")
