"""The image tests' driver: boots build/image/ARCH under QEMU with its
console on the emulated serial port, and types at it as a person at a
serial terminal would (pexpect, from Debian's python3-pexpect).

Every wait has a timeout.  The whole console, and a line for each of the
driver's own steps, goes to build/test-artifacts/image-ARCH-NAME.log.

The environment: IMAGE_ARCH (aarch64 or x86_64, default the host's),
IMAGE_DIR (default build/image/ARCH), IMAGE_KVM=0 to refuse KVM,
IMAGE_ARTIFACTS (default build/test-artifacts)."""

import os
import re
import shutil
import signal
import sys
import time

import pexpect

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ARCH = os.environ.get("IMAGE_ARCH") or os.uname().machine
IMAGE = os.environ.get("IMAGE_DIR") or os.path.join(ROOT, "build", "image", ARCH)
ARTIFACTS = os.environ.get("IMAGE_ARTIFACTS") or os.path.join(ROOT, "build", "test-artifacts")
PROMPT = "sesame# "


class Tap:
    """TAP on stdout: ok/not ok lines, the plan at the end."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, name), flush=True)
        if not cond:
            self.failed += 1
            if diag:
                self.diag(diag)
        return cond

    def is_(self, got, want, name):
        return self.ok(got == want, name, "got %r, want %r" % (got, want))

    def like(self, text, pattern, name):
        return self.ok(re.search(pattern, text or "", re.M) is not None, name,
                       "no /%s/ in:\n%s" % (pattern, text))

    def skip(self, name, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, why), flush=True)

    def diag(self, text):
        for line in str(text).splitlines():
            print("# " + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        sys.exit(1 if self.failed else 0)

    def bail(self, why):
        print("Bail out! %s" % why, flush=True)
        sys.exit(255)


def kvm_usable():
    """KVM for an x86_64 guest on an x86_64 host whose CPU has VMX or SVM
    and whose /dev/kvm opens (a /dev/kvm without them, as in some
    sandboxes, hangs the guest).  IMAGE_KVM=0 or 1 overrides."""
    if ARCH != "x86_64" or os.uname().machine != "x86_64":
        return False
    if os.environ.get("IMAGE_KVM") in ("0", "1"):
        return os.environ["IMAGE_KVM"] == "1"
    try:
        with open("/proc/cpuinfo") as f:
            if not re.search(r"^flags\s*:.*\b(vmx|svm)\b", f.read(), re.M):
                return False
        os.close(os.open("/dev/kvm", os.O_RDWR))
        return True
    except OSError:
        return False


class Timeout(Exception):
    pass


class Transcript:
    """The console as a session log: without carriage returns and the
    cursor position query ash sends at each prompt."""

    def __init__(self, path):
        self.f = open(path, "wb")

    def write(self, data):
        self.f.write(data.replace(b"\r", b"").replace(b"\x1b[6n", b""))

    def flush(self):
        self.f.flush()

    def tell(self):
        return self.f.tell()

    def close(self):
        self.f.close()


class Machine:
    """One emulated device: its disks, its console, its boots."""

    def __init__(self, name, boot="busybox", append="", data=None, image=None, tpm=None):
        """image: another image directory (build/image/x86_64-tpm); tpm: a
        directory for a swtpm's state, started with each power-on and
        attached as the machine's TPM (tpm-tis)."""
        self.image = image or IMAGE
        for f in ("vmlinuz", "initrd.gz", "root.ext4", "data.ext4"):
            if not os.path.exists(os.path.join(self.image, f)):
                raise SystemExit("no %s/%s: make image-test ARCH=%s builds it" % (self.image, f, ARCH))
        self.name = name
        self.tpm = tpm
        self.swtpm = None
        self.extra = []     # more QEMU arguments, for the next power-on
        self.boot_mode = boot
        self.append = append
        self.kvm = kvm_usable()
        os.makedirs(ARTIFACTS, exist_ok=True)
        self.rundir = os.path.join(self.image, "run")
        os.makedirs(self.rundir, exist_ok=True)
        self.data = data or os.path.join(self.rundir, name + "-data.ext4")
        if not data:
            shutil.copyfile(os.path.join(self.image, "data.ext4"), self.data)
        self.logpath = os.path.join(ARTIFACTS, "image-%s-%s.log" % (ARCH, name))
        self.log = Transcript(self.logpath)
        self.child = None
        self.seq = 0
        self.t0 = time.monotonic()

    def note(self, text):
        """A line of the driver's own in the transcript."""
        self.log.write(("\n### [%7.2f s] driver: %s\n" % (time.monotonic() - self.t0, text)).encode())
        self.log.flush()

    def command(self):
        disk = "file=%s,if=none,format=raw,id=%s%s"
        if ARCH == "aarch64":
            q = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-smp", "1"]
            tty = "ttyAMA0"
        else:
            q = ["qemu-system-x86_64", "-M", "q35"]
            q += ["-enable-kvm", "-cpu", "host", "-smp", "2"] if self.kvm else ["-cpu", "max", "-smp", "1"]
            tty = "ttyS0"
        append = "console=%s quiet panic=-1 sesame.boot=%s %s" % (tty, self.boot_mode, self.append)
        if self.tpm:
            q += ["-chardev", "socket,id=chrtpm,path=%s" % os.path.join(self.tpm, "ctrl.sock"),
                  "-tpmdev", "emulator,id=tpm0,chardev=chrtpm", "-device", "tpm-tis,tpmdev=tpm0"]
        q += self.extra
        return q + [
            "-m", "512", "-display", "none", "-monitor", "none", "-nodefaults",
            "-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con",
            "-kernel", os.path.join(self.image, "vmlinuz"), "-initrd", os.path.join(self.image, "initrd.gz"),
            "-append", append.strip(),
            "-drive", disk % (os.path.join(self.image, "root.ext4"), "root", ",readonly=on"),
            "-device", "virtio-blk-pci,drive=root",
            "-drive", disk % (self.data, "data", ""),
            "-device", "virtio-blk-pci,drive=data",
            "-device", "virtio-rng-pci",
        ]

    def start(self, timeout=None):
        """Power on and wait for the console's shell; returns the seconds
        from power-on to the first prompt."""
        cmd = self.command()
        if self.tpm:
            self.start_swtpm()
        self.note("power on: " + " ".join(cmd))
        t = time.monotonic()
        self.child = pexpect.spawn(cmd[0], cmd[1:], timeout=30, logfile=None,
                                   dimensions=(50, 500))
        self.child.logfile_read = self.log
        self.wait_prompt(timeout or self.slow(60), "the console's first prompt")
        return time.monotonic() - t

    def start_swtpm(self):
        """A swtpm on the state in self.tpm, for one power-on (it ends when
        QEMU lets go of it)."""
        import subprocess
        self.stop_swtpm()
        os.makedirs(self.tpm, exist_ok=True)
        sock = os.path.join(self.tpm, "ctrl.sock")
        if os.path.exists(sock):
            os.unlink(sock)
        log = open(os.path.join(ARTIFACTS, "image-%s-%s-swtpm.log" % (ARCH, self.name)), "ab")
        self.swtpm = subprocess.Popen(["swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + self.tpm,
                                       "--ctrl", "type=unixio,path=" + sock, "--terminate"],
                                      stdout=log, stderr=log)
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        self.note("swtpm (pid %d) on %s" % (self.swtpm.pid, sock))

    def stop_swtpm(self):
        if self.swtpm and self.swtpm.poll() is None:
            self.swtpm.terminate()
            try:
                self.swtpm.wait(5)
            except Exception:
                self.swtpm.kill()
        self.swtpm = None

    def slow(self, seconds):
        """A timeout, stretched for software emulation."""
        return seconds if self.kvm else seconds * 3

    def expect(self, pattern, timeout, what):
        try:
            return self.child.expect(pattern, timeout=timeout)
        except pexpect.TIMEOUT:
            self.note("timed out after %s s waiting for %s" % (timeout, what))
            raise Timeout("timed out after %s s waiting for %s" % (timeout, what))
        except pexpect.EOF:
            self.note("the machine went away waiting for %s" % what)
            raise Timeout("QEMU exited while waiting for %s" % what)

    def wait_prompt(self, timeout, what="the prompt"):
        self.expect(re.escape(PROMPT), timeout, what)

    def run(self, line, timeout=30, answers=()):
        """Type LINE at the prompt; answer each (pattern, text) in turn;
        return (exit status, output without the echoed line)."""
        self.seq += 1
        mark = "=%d=rc=" % self.seq
        # The echo shows '$?', not digits: only the real answer matches.
        self.child.sendline('%s; echo "%s$?="' % (line, mark))
        t = self.slow(timeout)
        for pattern, text in answers:
            self.expect(pattern, t, "%r in answer to %r" % (pattern, line))
            time.sleep(0.2)
            self.child.sendline(text)
        self.expect(re.escape(mark) + r"(\d+)=", t, "the end of %r" % line)
        rc = int(self.child.match.group(1))
        out = self.child.before.decode("utf-8", "replace").replace("\r", "")
        self.wait_prompt(t)
        # Drop the typed line as the terminal echoed it (up to the end
        # of the line that holds the unexpanded mark), and the cursor
        # position query ash sends.
        out = re.sub(r"\x1b\[[0-9;]*[a-zA-Z]", "", out)
        echo = out.rfind(mark + '$?="')
        if echo >= 0:
            nl = out.find("\n", echo)
            out = out[nl + 1:] if nl >= 0 else ""
        return rc, out.strip("\n")

    def sh(self, line, timeout=30):
        """run(), for a command expected to succeed: its output."""
        rc, out = self.run(line, timeout)
        if rc != 0:
            self.note("%r exited %d" % (line, rc))
        return out

    def offset(self):
        """Where the transcript is now (for transcript_since)."""
        self.log.flush()
        return self.log.tell()

    def transcript_since(self, offset):
        """What the console showed since OFFSET, as text."""
        self.log.flush()
        with open(self.logpath, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace").replace("\r", "")

    def wait_roles(self, roles=("secrets",), seconds=10):
        """Until sesame status lists ROLES (bounded in the guest, as
        S50sesame waits): True if it did."""
        checks = " && ".join("grep -q 'roles:.* %s' /tmp/status" % r for r in roles)
        n = seconds * 10
        rc, _ = self.run("i=0; until sesame status >/tmp/status 2>&1 && %s; do "
                         "i=$((i + 1)); [ $i -ge %d ] && break; usleep 100000; done; [ $i -lt %d ]"
                         % (checks, n, n), seconds + 30)
        return rc == 0

    def pid(self, role):
        """The pid of daemon-ROLE in the guest, or None."""
        rc, out = self.run("rolepid %s" % role)
        return int(out.split()[0]) if rc == 0 and out.split() else None

    def reboot(self, timeout=None):
        """Type reboot; wait for the shutdown and the next prompt."""
        self.note("reboot")
        self.child.sendline("reboot")
        self.expect("rc.shutdown: data disk unmounted", self.slow(30), "the shutdown")
        t = time.monotonic()
        self.wait_prompt(timeout or self.slow(60), "the prompt after reboot")
        return time.monotonic() - t

    def power_cut(self):
        """Kill QEMU, as pulling the plug: nothing is flushed."""
        self.note("power cut (SIGKILL to QEMU)")
        if self.child and self.child.isalive():
            os.kill(self.child.pid, signal.SIGKILL)
            try:    # what the console had shown, into the transcript
                self.child.expect(pexpect.EOF, timeout=10)
            except (pexpect.TIMEOUT, OSError):
                pass
            self.child.wait()
        self.child = None

    def poweroff(self):
        if not self.child:
            return
        self.note("poweroff")
        try:
            self.child.sendline("poweroff")
            self.child.expect(pexpect.EOF, timeout=self.slow(30))
        except (pexpect.TIMEOUT, OSError):
            self.power_cut()
        self.child = None

    def close(self):
        if self.child and self.child.isalive():
            self.power_cut()
        self.stop_swtpm()
        self.log.close()


def scenario(name, body, boot="busybox", append="", plan_note=None):
    """Run BODY(tap, machine) on a fresh machine; any timeout is a failed
    test, and the machine is always powered off."""
    tap = Tap()
    m = Machine(name, boot=boot, append=append)
    tap.diag("%s on %s (%s); transcript: %s" % (name, ARCH, "KVM" if m.kvm else "software emulation",
                                                 os.path.relpath(m.logpath, ROOT)))
    drive(tap, m, body)
    tap.done()


def drive(tap, m, body):
    """BODY(tap, m), a timeout being a failed test; m powered off after."""
    try:
        body(tap, m)
    except Timeout as e:
        tap.ok(False, "the console answered in time (%s)" % m.name, str(e))
    finally:
        m.close()


# --- steps the scenarios share ------------------------------------------

PASSWORD = "serial-console-pw"
WIFI = "correct horse battery staple"


def init_device(tap, m, profile="device", password=PASSWORD):
    """sesame init on the console, the password typed at both prompts;
    checks it was asked twice and never echoed."""
    off = m.offset()
    rc, out = m.run("sesame init -p %s" % profile, 120,
                    answers=[("[Pp]assword[^\n]*: ", password), ("Again: ", password)])
    seen = m.transcript_since(off)
    tap.is_(rc, 0, "sesame init -p %s: the password typed at the prompt" % profile)
    tap.ok(len(re.findall(r"[Pp]assword[^\n]*: ", seen)) == 1 and seen.count("Again: ") == 1,
           "the password is asked twice (password, again)", seen)
    tap.ok(password not in seen, "and not echoed on the console", seen)


def console_session(tap, m):
    """What an operator does first on a new device: init, set, get,
    status, status --doctor."""
    init_device(tap, m)
    rc, out = m.run("printf '%%s' '%s' | sesame secret set -p device wifi-psk" % WIFI)
    tap.is_(rc, 0, "printf ... | sesame secret set -p device wifi-psk")
    rc, out = m.run("sesame secret get -p device wifi-psk >/tmp/v; echo \"[$(cat /tmp/v)]\"; wc -c </tmp/v")
    lines = out.split("\n")
    tap.ok(rc == 0 and lines[0] == "[%s]" % WIFI and lines[-1].strip() == str(len(WIFI)),
           "sesame secret get prints exactly the value (%d bytes, no newline)" % len(WIFI), out)
    rc, out = m.run("sesame status")
    tap.ok(rc == 0 and re.search(r"^vaults: .*device \(unlocked\)", out, re.M),
           "sesame status: the vault unlocked", out)
    rc, out = m.run("sesame status --doctor")
    tap.ok(rc == 0 and re.search(r"\d+ passed, \d+ warnings?, 0 failed", out),
           "sesame status --doctor: nothing failed", out)
    warns = re.findall(r"^warn +(\S+) +(.*)\n +(\S.*)", out, re.M)
    tap.ok(all(w[2] for w in warns), "each warning explained (%s)" % ", ".join(w[0] for w in warns)
           or "none", out)
    return out


def respawn(tap, m, what, limit=2.0):
    """kill -9 daemon-secrets: back within LIMIT s, the vault locked,
    secret get 77, unlock on the console works again."""
    rc, out = m.run(
        "old=$(pidof daemon-secrets); s=$(cut -d' ' -f1 /proc/uptime); kill -9 $old; i=0; "
        "while [ $i -lt 500 ]; do n=$(pidof daemon-secrets); [ -n \"$n\" ] && [ \"$n\" != \"$old\" ] && break; "
        "usleep 10000; i=$((i + 1)); done; e=$(cut -d' ' -f1 /proc/uptime); "
        "echo \"respawn $old $n $(awk \"BEGIN { print $e - $s }\")\"", 30)
    mt = re.search(r"respawn (\d+) (\d+) ([0-9.]+)", out)
    took = float(mt.group(3)) if mt else None
    tap.ok(mt is not None and took <= limit,
           "kill -9 daemon-secrets: %s starts a new one within %.0f s (%s)"
           % (what, limit, "%.2f s" % took if mt else "none"), out)
    tap.ok(m.wait_roles(("secrets",), 10), "which connects to the bus again")
    rc, out = m.run("sesame status")
    tap.like(out, r"^vaults: .*device \(locked\)", "the vault comes back locked")
    rc, out = m.run("sesame secret get -p device wifi-psk")
    tap.is_(rc, 77, "secret get exits 77 (locked)")
    rc, out = m.run("sesame unlock -p device", 60, answers=[("[Pp]assword[^\n]*: ", PASSWORD)])
    tap.is_(rc, 0, "sesame unlock on the console, the password typed")
    rc, out = m.run("sesame secret get -p device wifi-psk")
    tap.ok(rc == 0 and out == WIFI, "and the secret reads back", out)
    return took
