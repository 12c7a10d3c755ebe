#!/usr/bin/python3
# reboot on the console: the vault, its secrets and the audit chain are on
# the data disk and survive; so does the unlock backoff (a reboot is no
# way round the wait after wrong passwords).
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import PASSWORD, WIFI, init_device, scenario  # noqa: E402

def unlock(m, password):
    return m.run("sesame unlock -p device", 60, answers=[("[Pp]assword[^\n]*: ", password)])


def body(tap, m):
    m.start()
    tap.ok(m.wait_roles(("secrets",), 15), "the bus is up")
    init_device(tap, m)
    rc, _ = m.run("printf '%%s' '%s' | sesame secret set -p device wifi-psk && "
                  "for i in 1 2 3; do printf 'v%%s' $i | sesame secret set -p device k$i; done" % WIFI)
    tap.is_(rc, 0, "four secrets stored")
    rc, out = m.run("sesame audit verify")
    before = re.search(r"(\d+) entr", out)
    tap.ok(rc == 0 and "intact" in out and before, "sesame audit verify: intact", out)
    m.run("sesame lock -p device")
    for i in range(4):
        rc, out = unlock(m, "wrong-%d" % i)
    tap.like(out, r"wrong password", "four wrong passwords, each checked")
    rc, out = unlock(m, PASSWORD)
    tap.ok(rc == 77 and re.search(r"try again in 1 s", out), "then even the right one waits 1 s", out)
    m.run("sleep 1.2")
    rc, out = unlock(m, "wrong-4")
    rc, log = m.run("grep -c '5 in a row' /var/log/sesame-secrets.log")
    tap.is_(log.strip(), "1", "a fifth wrong one after the wait: 5 in a row, the next wait 2 s")

    off = m.offset()
    took = m.reboot()
    tap.ok(True, "reboot: back at the prompt in %.1f s" % took)
    m.run("sleep 1")
    tap.like(m.transcript_since(off), r"device stays locked: it needs its password",
             "the unlock at boot (inittab's ::once: line) leaves the vault locked, saying why, without waiting")
    tap.ok(m.wait_roles(("secrets",), 15), "the roles are up again")
    rc, out = m.run("sesame status")
    tap.like(out, r"^vaults: .*device \(locked\)", "the vault is there, locked")
    m.run("sleep 2.2")
    rc, out = unlock(m, "wrong-5")
    rc, log = m.run("grep -c '6 in a row' /var/log/sesame-secrets.log")
    tap.is_(log.strip(), "1", "the count survived the reboot: the next wrong password is the sixth in a row")
    rc, out = unlock(m, PASSWORD)
    tap.ok(rc == 77 and re.search(r"try again in 4 s", out),
           "and its wait doubled to 4 s: the right password waits", out)
    m.run("sleep 4.2")
    rc, out = unlock(m, PASSWORD)
    tap.is_(rc, 0, "after the wait the password unlocks")
    rc, out = m.run("sesame secret get -p device wifi-psk; for i in 1 2 3; do "
                    "sesame secret get -p device k$i; done")
    tap.is_(out.split("\n"), [WIFI, "v1", "v2", "v3"], "every secret survived the reboot")
    rc, out = m.run("sesame audit verify")
    after = re.search(r"(\d+) entr", out)
    tap.ok(rc == 0 and "intact" in out and after and before and int(after.group(1)) > int(before.group(1)),
           "the audit chain verifies across the reboot, and has grown", out)
    m.poweroff()


scenario("reboot", body, boot="busybox")
