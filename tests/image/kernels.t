#!/usr/bin/python3
# The same image on kernels that offer less: Landlock left out of lsm=,
# and (Debian's 6.1 without secretmem.enable=1) no memfd_secret; then
# with secret memory enabled.  sesame does what the packaging issue
# decided: without Landlock the roles refuse to start, saying which
# kernel option and which setting, and leave no dead bus.sock; with
# global.sandbox = "best-effort" they run and log at error level what is
# missing; without memfd_secret they run on mlock()ed memory, at error
# level.
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import WIFI, Machine, drive, init_device, scenario  # noqa: E402


def no_landlock(tap, m):
    m.start()
    rc, out = m.run("cat /sys/kernel/security/lsm; echo")
    tap.ok("landlock" not in out, "booted with lsm= without landlock (%s)" % out.strip())
    rc, out = m.run("sleep 3; grep -h 'Landlock is not available' /var/log/sesame-*.log | sort -u", 60)
    tap.like(out, r"daemon-profile: sandbox: Landlock is not available .*lsm=.*global.sandbox = \"best-effort\"",
             "daemon-profile refuses to start, naming lsm= and the setting that runs without")
    tap.like(out, r"daemon-secrets: sandbox: Landlock is not available", "so does daemon-secrets")
    rc, out = m.run("ls /run/pds")
    tap.ok("bus.sock" not in out and "cli.psk" not in out, "no dead bus.sock or cli.psk is left", out)
    rc, out = m.run("sesame status")
    tap.ok(rc == 69 and "not running" in out, "sesame status: daemon-profile is not running (69)", out)
    rc, out = m.run("sleep 6; grep -c 'Landlock is not available' /var/log/sesame-profile.log", 60)
    tap.diag("busybox init restarted the refusing daemon-profile %s times in about 10 s" % out.strip())

    m.run("printf '[global]\\nsandbox = \"best-effort\"\\n' >/etc/pds/config.toml")
    tap.ok(m.wait_roles(("profile", "secrets", "snippets"), 15),
           "with global.sandbox = \"best-effort\" in /etc/pds/config.toml the respawned roles run")
    rc, out = m.run("grep -h 'level=error.*without Landlock' /var/log/sesame-*.log | sort -u | wc -l")
    tap.ok(out.strip().isdigit() and int(out) >= 1, "and log at error level that Landlock is missing")
    rc, out = m.run("sesame status --sandbox")
    tap.ok(len(re.findall(r"landlock=off seccomp=on", out)) == 3,
           "status --sandbox: landlock=off, seccomp on, for each role", out)
    rc, out = m.run("grep -h 'level=error.*memfd_secret unavailable' /var/log/sesame-secrets.log | wc -l")
    tap.ok(out.strip().isdigit() and int(out) >= 1,
           "without secretmem.enable=1 (Linux 6.1) daemon-secrets runs on mlock()ed memory, at error level")
    init_device(tap, m)
    rc, out = m.run("printf '%%s' '%s' | sesame secret set -p device wifi-psk && sesame secret get -p device wifi-psk"
                    % WIFI)
    tap.ok(rc == 0 and out.endswith(WIFI), "and the vault works", out)
    rc, out = m.run("sesame status --doctor=platform")
    tap.like(out, r"^FAIL +kernel\.landlock", "status --doctor=platform: kernel.landlock fails")
    m.poweroff()


def with_secretmem(tap, m2):
    m2.start()
    tap.ok(m2.wait_roles(("profile", "secrets", "snippets"), 15), "with secretmem.enable=1 the roles run")
    # The boot's own `sesame unlock --all` prints to this console when it
    # ends: wait for it, so that nothing but the grep's output is read.
    m2.run("i=0; while ps -o args | grep -q '[s]esame unlock' && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done", 70)
    rc, out = m2.run("grep -h 'memfd_secret' /var/log/sesame-*.log")
    tap.is_(out, "", "and none falls back from memfd_secret")
    rc, out = m2.run("sesame status --doctor=platform")
    tap.like(out, r"^ok +kernel\.memfd_secret", "status --doctor=platform: kernel.memfd_secret ok")
    init_device(tap, m2)
    rc, out = m2.run("printf '%%s' '%s' | sesame secret set -p device wifi-psk && sesame secret get -p device wifi-psk"
                     % WIFI)
    tap.ok(rc == 0 and out.endswith(WIFI), "the vault works in secret memory, under seccomp", out)
    rc, out = m2.run("grep -h 'seccomp violation' /var/log/sesame-*.log")
    tap.is_(out, "", "no seccomp violation")
    m2.poweroff()


def body(tap, m):
    no_landlock(tap, m)
    m2 = Machine("kernels-secretmem", boot="busybox", append="secretmem.enable=1")
    tap.diag("second boot: secretmem.enable=1; transcript %s" % m2.logpath)
    drive(tap, m2, with_secretmem)


scenario("kernels", body, boot="busybox", append="lsm=lockdown,yama,integrity,apparmor")
