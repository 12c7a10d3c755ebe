#!/usr/bin/python3
# busybox init starts runsvdir on /etc/service, whose entries are the
# service directories make install INIT=runit puts in /etc/sv (Debian's
# runit: busybox's Debian build has no runsvdir applet).  The root is
# read-only: supervise/ is in /run, the logs in /var/log.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import console_session, respawn, scenario  # noqa: E402


def body(tap, m):
    m.start()
    tap.ok(m.wait_roles(("profile", "secrets", "snippets"), 15),
           "runsvdir starts the three services; the bus is up with its roles")
    rc, out = m.run("sv status /etc/service/sesame-profile /etc/service/sesame-secrets "
                    "/etc/service/sesame-snippets")
    tap.ok(rc == 0 and out.count("run: ") == 6, "sv status: each service and its log running", out)
    rc, out = m.run("sleep 1; sv status /etc/service/sesame-unlock")
    tap.like(out, r"^down: /etc/service/sesame-unlock", "sesame-unlock ran once at boot and is down")
    console_session(tap, m)
    rc, out = m.run("ls /var/log/sesame-secrets/ && grep -c 'connected to the bus' /var/log/sesame-secrets/current")
    tap.ok(rc == 0 and "current" in out, "svlogd writes each role's log under /var/log", out)
    respawn(tap, m, "runsv")
    rc, out = m.run("sv reload sesame-secrets && sleep 1 && tail -n 3 /var/log/sesame-secrets/current")
    tap.like(out, r"(?i)reload", "sv reload: daemon-secrets reloads its configuration")
    rc, out = m.run("sv down sesame-snippets && sleep 1 && sesame status")
    tap.like(out, r"^roles: profile secrets$", "sv down sesame-snippets: the role leaves the bus")
    rc, out = m.run("sv up sesame-snippets")
    tap.ok(m.wait_roles(("snippets",), 10), "sv up: it comes back")
    m.poweroff()


scenario("runit", body, boot="runit")
