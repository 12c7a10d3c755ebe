#!/usr/bin/python3
# busybox init as PID 1 starts daemon-profile, -secrets and -snippets from
# init/busybox's inittab lines, through the daemon-* symlinks; an operator
# at the serial console sets the device up; a killed daemon-secrets is
# respawned; every role runs confined on this architecture's kernel.
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import ARCH, PASSWORD, console_session, respawn, scenario  # noqa: E402

LANDLOCK_ABI = [((6, 12), 6), ((6, 10), 5), ((6, 7), 4), ((6, 2), 3), ((5, 19), 2), ((5, 13), 1)]


def body(tap, m):
    tap.ok(m.start() > 0, "the image boots to a shell on the serial console")
    tap.ok(m.wait_roles(("profile", "secrets", "snippets"), 15), "the bus is up with its roles")
    rc, out = m.run("for r in profile secrets snippets; do p=$(rolepid $r); "
                    "echo \"$r $p $(readlink /proc/$p/exe) $(tr '\\0' ' ' </proc/$p/cmdline)"
                    "$(grep '^PPid:' /proc/$p/status)\"; done")
    for r in ("profile", "secrets", "snippets"):
        tap.like(out, r"^%s \d+ /usr/bin/sesame /usr/bin/daemon-%s PPid:\s+1$" % (r, r),
                 "daemon-%s: sesame run through its daemon-%s link, a child of init" % (r, r))

    console_session(tap, m)

    # The sandbox as this kernel applies it.
    rc, out = m.run("for r in profile secrets snippets; do p=$(rolepid $r); echo \"$r\" "
                    "$(grep -E '^(Seccomp|NoNewPrivs):' /proc/$p/status); done")
    for r in ("profile", "secrets", "snippets"):
        tap.like(out, r"^%s NoNewPrivs: 1 Seccomp: 2$" % r,
                 "/proc/PID/status of daemon-%s: Seccomp 2, NoNewPrivs 1" % r)
    rc, kver = m.run("uname -r")
    v = tuple(int(x) for x in re.match(r"(\d+)\.(\d+)", kver).groups())
    abi = next((a for k, a in LANDLOCK_ABI if v >= k), 0)
    rc, out = m.run("sesame status --sandbox")
    for r in ("profile", "secrets", "snippets"):
        tap.like(out, r"^sandbox %s: pid \d+, landlock=abi%d seccomp=on" % (r, abi),
                 "status --sandbox: daemon-%s under Landlock ABI %d, the one Linux %d.%d offers"
                 % (r, abi, v[0], v[1]))

    # Every role at work under its allowlist on this architecture.
    steps = [
        ("sesame secret list -p device", r"^wifi-psk$"),
        ("printf 'v2' | sesame secret set -p device token && sesame secret delete --yes -p device token",
         r"deleted"),
        ("sesame env -p device -- sh -c 'echo \"[$WIFI_PSK]\"'", r"^\[correct horse battery staple\]$"),
        ("sesame snippet add -p device sig 'Regards, ${date}' && sesame snippet list -p device",
         r"^sig\t"),
        ("sesame snippet expand -p device sig", r"^Regards, \d{4}-\d\d-\d\d"),
        ("sesame lock -p device && sesame status", r"device \(locked\)"),
        ("sesame audit verify", r"intact"),
        ("sesame config show", r"."),
    ]
    for line, want in steps:
        rc, out = m.run(line, 60)
        tap.ok(rc == 0 and re.search(want, out, re.M), "on %s: %s" % (ARCH, line), out)
    rc, out = m.run("dmesg | grep -i -E 'audit.*seccomp|sigsys' ; grep -h 'seccomp violation' /var/log/sesame-*.log")
    tap.is_(out, "", "no seccomp violation in the kernel log or the roles' logs")

    # A violation, made on purpose (the test-only self-test path), is
    # reported with its syscall number and name.
    rc, out = m.run("SESAME_RUNTIME_DIR=/tmp/st SESAME_DATA_DIR=/tmp/sd SESAME_CONFIG_DIR=/tmp/sc "
                    "SESAME_SANDBOX_SELFTEST=syscall daemon-secrets 2>&1 | grep violation", 60)
    tap.like(out, r"^seccomp violation: syscall=\d+ \(acct\)$",
             "a forbidden syscall on %s: the SIGSYS handler names its number and name" % ARCH)

    rc, out = m.run("sesame unlock -p device", 60, answers=[("[Pp]assword[^\n]*: ", PASSWORD)])
    tap.is_(rc, 0, "unlocked again")
    respawn(tap, m, "busybox init")
    m.poweroff()


scenario("busybox", body, boot="busybox")
