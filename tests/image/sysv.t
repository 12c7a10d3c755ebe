#!/usr/bin/python3
# busybox init runs rcS, and rcS the SysV script init/sysv/S50sesame (as
# make install INIT=sysv puts it in /etc/init.d): daemon-profile, then the
# roles in SESAME_ROLES, each waited for; stop, start and status from the
# console; the script stops them at reboot.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import WIFI, console_session, init_device, scenario  # noqa: E402,F401


def body(tap, m):
    off = m.offset()
    m.start()
    boot = m.transcript_since(off)
    tap.like(boot, r"sesame: starting daemon-profile\.\.\. ok \(pid \d+\)",
             "rcS runs /etc/init.d/S50sesame: daemon-profile started and waited for")
    tap.like(boot, r"sesame: starting daemon-secrets\.\.\. ok \(pid \d+\)", "then daemon-secrets")
    rc, out = m.run("sesame status")
    tap.like(out, r"^roles: profile secrets$", "the bus is up with the roles SESAME_ROLES names")
    console_session(tap, m)
    rc, out = m.run("/etc/init.d/S50sesame status")
    tap.ok(rc == 0 and "daemon-secrets" in out, "S50sesame status: running", out)
    rc, out = m.run("/etc/init.d/S50sesame stop; sesame status")
    tap.is_(rc, 69, "S50sesame stop: the daemons stop, so sesame status exits 69")
    rc, out = m.run("/etc/init.d/S50sesame status")
    tap.ok(rc != 0, "S50sesame status says so (exit %d)" % rc, out)
    rc, out = m.run("/etc/init.d/S50sesame start", 60)
    tap.ok(rc == 0 and out.count("... ok") == 2, "S50sesame start: both again", out)
    rc, out = m.run("sesame status")
    tap.like(out, r"^vaults: .*device \(locked\)", "with the vault locked (it was stopped)")
    off = m.offset()
    m.reboot()
    seen = m.transcript_since(off)
    tap.like(seen, r"sesame: stopping daemon-secrets\.\.\.", "at reboot rc.shutdown runs S50sesame stop")
    tap.like(seen, r"device stays locked: it needs its password",
             "with SESAME_UNLOCK=yes S50sesame's unlock leaves the vault locked, saying why, and boot goes on")
    tap.ok(m.wait_roles(("secrets",), 15), "and after it the script starts them again")
    m.poweroff()


scenario("sysv", body, boot="sysv")
