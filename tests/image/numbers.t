#!/usr/bin/python3
# The image's numbers, for the closing note and make bench: boot to
# `sesame secret get` answered, as a ratio to the same image booting to a
# shell without sesame (median of 3 boots each); the RSS of each role on
# the device; bytes written to the data disk per secret get and per
# secret set (/sys/block/*/stat around 20 of each); the image's size.
# Written to build/test-artifacts/image-ARCH-numbers.txt.
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import ARCH, ARTIFACTS, IMAGE, WIFI, Machine, init_device, scenario  # noqa: E402

BOOTS = 3


def to_answer(m):
    """Power on; seconds until the first prompt, and until secret get is
    answered by daemon-secrets (0, or 77 while the vault is locked)."""
    t0 = time.monotonic()
    m.start()
    prompt = time.monotonic() - t0
    rc, out = m.run("i=0; until sesame secret get -p device wifi-psk >/dev/null 2>&1; rc=$?; "
                    "[ $rc = 0 ] || [ $rc = 77 ] || [ $i -ge 300 ]; do i=$((i + 1)); usleep 20000; done; "
                    "echo get=$rc", 60)
    answered = time.monotonic() - t0
    m.power_cut()
    return prompt, answered, "get=77" in out or "get=0" in out


def written(m):
    rc, out = m.run("sync; awk '{ print $7 }' /sys/block/${DATA#/dev/}/stat")
    return int(out.strip().split()[-1]) * 512


def body(tap, m):
    lines = []
    m.start()
    tap.ok(m.wait_roles(("profile", "secrets", "snippets"), 15), "the bus is up")
    init_device(tap, m)
    rc, _ = m.run("printf '%%s' '%s' | sesame secret set -p device wifi-psk" % WIFI)
    m.run("DATA=$(findfs LABEL=sesame-data)")
    m.run("sesame secret get -p device wifi-psk >/dev/null; sleep 1")
    n = 20
    b0 = written(m)
    m.run("for i in $(seq %d); do sesame secret get -p device wifi-psk >/dev/null; done; sleep 0.5" % n, 120)
    b1 = written(m)
    m.run("for i in $(seq %d); do printf 'value-%%s' $i | sesame secret set -p device key-$i >/dev/null; done; "
          "sleep 0.5" % n, 120)
    b2 = written(m)
    per_get, per_set = (b1 - b0) / n, (b2 - b1) / n
    tap.ok(per_get > 0 and per_set > per_get,
           "bytes written to the data disk: %.0f per secret get, %.0f per secret set" % (per_get, per_set))
    lines.append("data disk writes: %.0f bytes per secret get, %.0f per secret set (%d of each, "
                 "/sys/block stat after sync)" % (per_get, per_set, n))
    rc, out = m.run("for r in profile secrets snippets; do echo $r $(grep VmRSS /proc/$(rolepid $r)/status); done; "
                    "echo peer-checker $(grep VmRSS /proc/$(pidof sesame-peerchec 2>/dev/null || "
                    "ps -o pid,comm | awk '$2 == \"sesame-peerchec\" { print $1 }')/status)")
    rss = dict((r, int(k)) for r, k in re.findall(r"^(\S+) VmRSS: (\d+) kB", out, re.M))
    tap.ok(len(rss) == 4, "the RSS of each role: %s" % ", ".join("%s %d KiB" % kv for kv in rss.items()), out)
    lines.append("RSS on the device: " + ", ".join("daemon-%s %d KiB" % kv if kv[0] != "peer-checker"
                                                   else "peer checker %d KiB" % kv[1] for kv in rss.items()))
    m.poweroff()

    # Boot times: the same image to a shell without sesame, and to a
    # secret get answered; the same data disk (with its vault).
    base, full, ok = [], [], True
    for i in range(BOOTS):
        b = Machine("numbers-none-%d" % i, boot="none")
        f = Machine("numbers-busybox-%d" % i, boot="busybox", data=m.data)
        try:
            base.append(to_answer(b)[0])
            p, a, answered = to_answer(f)
            full.append(a)
            ok = ok and answered
        finally:
            b.close()
            f.close()
    tb, tf = statistics.median(base), statistics.median(full)
    tap.ok(ok, "boot to secret get answered: %.2f s, %.2fx the boot to a shell without sesame (%.2f s)"
           % (tf, tf / tb, tb))
    lines.append("boot to secret get answered: %.2f s; to a shell without sesame: %.2f s; ratio %.2f "
                 "(medians of %d, %s)" % (tf, tb, tf / tb, BOOTS, "KVM" if m.kvm else "software emulation"))

    sizes = dict((f, os.path.getsize(os.path.join(IMAGE, f))) for f in ("vmlinuz", "initrd.gz", "root.ext4"))
    binary = os.path.getsize(os.path.join(IMAGE, "root", "usr", "bin", "sesame"))
    used = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(os.path.join(IMAGE, "root"))
               for f in fs if not os.path.islink(os.path.join(d, f)))
    tap.ok(binary > 0, "image: kernel %d, initramfs %d, root filesystem %d bytes (%d in files; sesame %d)"
           % (sizes["vmlinuz"], sizes["initrd.gz"], sizes["root.ext4"], used, binary))
    lines.append("image: kernel %d bytes, initramfs %d, root.ext4 %d (files %d, of which sesame %d)"
                 % (sizes["vmlinuz"], sizes["initrd.gz"], sizes["root.ext4"], used, binary))
    with open(os.path.join(ARTIFACTS, "image-%s-numbers.txt" % ARCH), "w") as f:
        f.write("image test numbers, %s, %s\n" % (ARCH, time.strftime("%Y-%m-%d %H:%M")))
        for line in lines:
            f.write("  " + line + "\n")


scenario("numbers", body, boot="busybox")
