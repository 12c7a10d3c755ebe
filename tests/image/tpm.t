#!/usr/bin/python3
# A headless device with a TPM: QEMU's TPM (tpm-tis) backed by swtpm, the
# firmware (SeaBIOS) measuring the boot into the PCRs.  The vault sealed to
# PCRs 1 and 7 unlocks at boot with no one typing (the busybox inittab's
# ::once: unlock step); a changed boot measurement (other SMBIOS tables,
# as after a firmware update: PCR 1) leaves it locked, saying which PCR,
# and the password typed at the console opens it; enrolling again seals
# to the new values.  Twice: on the image with the static sesame (its TPM2
# factor is lib/tpm2/tpm2_mini.c, with vendored mbed TLS), and on
# build/image/x86_64-tpm, whose sesame is linked to Debian's tpm2-tss as a
# Buildroot image with BR2_PACKAGE_SESAME_TPM2 has it.
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import ARCH, PASSWORD, ROOT, WIFI, Machine, Tap, drive  # noqa: E402



def wait_vault(m, want, seconds):
    """Poll sesame status until the vault is in state WANT; its output."""
    end = time.monotonic() + seconds
    out = ""
    while time.monotonic() < end:
        rc, out = m.run("sesame status")
        if re.search(r"^vaults: .*device \(%s\)" % want, out, re.M):
            return out
        m.run("sleep 0.5")
    return out


def pcrs(m):
    rc, out = m.run("for i in 1 7; do printf '%s=' $i; cat /sys/class/tpm/tpm0/pcr-sha256/$i; done")
    return out.strip()


def body(tap, m):
    m.start()
    rc, out = m.run("sesame --version; file /usr/bin/sesame 2>/dev/null; ls /usr/lib/x86_64-linux-gnu/libtss2-esys* "
                    "2>/dev/null | head -1")
    tap.diag(out)
    tap.ok(m.wait_roles(("secrets",), 15), "the bus is up")
    rc, out = m.run("ls /dev/tpmrm0 && cat /sys/class/tpm/tpm0/tpm_version_major")
    tap.ok(rc == 0 and out.strip().endswith("2"), "the kernel drives the TPM: /dev/tpmrm0, TPM 2.0", out)
    rc, out = m.run("sesame status --doctor=platform")
    tap.like(out, r"^ok +tpm2\.device +IBM at device:/dev/tpmrm0: SHA-256 bank, not in lockout",
             "status --doctor reports it (manufacturer, bank, lockout)")
    before = pcrs(m)
    tap.diag("PCRs at the first boot: " + before)
    rc, out = m.run("sesame init -p device --password --tpm2 --pcrs 1,7", 120,
                    answers=[("[Pp]assword[^\n]*: ", PASSWORD), ("Again: ", PASSWORD)])
    tap.is_(rc, 0, "sesame init -p device --password --tpm2 --pcrs 1,7, the password typed")
    rc, out = m.run("printf '%%s' '%s' | sesame secret set -p device wifi-psk" % WIFI)
    tap.is_(rc, 0, "a secret stored")

    off = m.offset()
    took = m.reboot()
    tap.ok(True, "reboot: back at the prompt in %.1f s" % took)
    out = wait_vault(m, "unlocked", m.slow(30))
    tap.like(out, r"device \(unlocked\)", "after the reboot the vault is unlocked, no one having typed")
    tap.like(m.transcript_since(off), r"Vault 'device' unlocked \(TPM2\)",
             "by the boot step (inittab's ::once: sesame unlock --all --no-prompt), by the TPM")
    rc, out = m.run("sesame secret get -p device wifi-psk")
    tap.is_(out.strip(), WIFI, "sesame secret get on the console answers")

    # Another firmware configuration: SeaBIOS measures the SMBIOS tables
    # into PCR 1.
    m.poweroff()
    m.extra = ["-smbios", "type=1,manufacturer=sesame,product=updated-firmware"]
    off = m.offset()
    m.start()
    tap.ok(m.wait_roles(("secrets",), 15), "booted with other SMBIOS tables")
    after = pcrs(m)
    tap.diag("PCRs now: " + after)
    tap.ok(before.split()[0] != after.split()[0] if before and after else False,
           "PCR 1 differs from the first boot's")
    out = wait_vault(m, "locked", m.slow(10))
    m.run("sleep 2")
    seen = m.transcript_since(off)
    tap.like(seen, r"device stays locked: it needs its password \(TPM2: PCR 1 changed since the TPM2 factor "
             r"was enrolled", "the boot step leaves it locked, naming PCR 1, without waiting for anyone")
    rc, out = m.run("sesame status")
    tap.like(out, r"device \(locked\)", "the vault is locked")
    rc, out = m.run("sesame unlock -p device", 60, answers=[("[Pp]assword[^\n]*: ", PASSWORD)])
    tap.is_(rc, 0, "the password typed at the console opens it")
    rc, out = m.run("sesame secret get -p device wifi-psk")
    tap.is_(out.strip(), WIFI, "and the secret is there")
    rc, out = m.run("sesame tpm2 enroll -p device --pcrs 1,7", 60,
                    answers=[("[Pp]assword[^\n]*: ", PASSWORD)])
    tap.is_(rc, 0, "sesame tpm2 enroll seals to the new values (the password proving it)")
    off = m.offset()
    m.reboot()
    out = wait_vault(m, "unlocked", m.slow(30))
    tap.like(out, r"device \(unlocked\)", "and the next boot unlocks by the TPM again")
    m.poweroff()


def main():
    tap = Tap()
    if ARCH != "x86_64":
        tap.skip("a TPM in the image", "Debian's %s kernel has no tpm_tis, which QEMU's TPM on this machine "
                 "needs (CONFIG_TCG_TIS); the x86_64 image has it" % ARCH)
        tap.done()
    if not shutil.which("swtpm"):
        tap.skip("a TPM in the image", "swtpm is not installed (make deps installs it)")
        tap.done()
    for name, image, what in (("tpm-static", None, "the static sesame (lib/tpm2/tpm2_mini.c)"),
                              ("tpm-tss", os.path.join(ROOT, "build", "image", "x86_64-tpm"),
                               "sesame linked to tpm2-tss")):
        state = os.path.join(image or os.path.join(ROOT, "build", "image", ARCH), "run", name + "-swtpm")
        shutil.rmtree(state, ignore_errors=True)
        m = Machine(name, image=image, tpm=state)
        tap.diag("%s: %s, on %s (%s); transcript: %s" % (name, what, ARCH, "KVM" if m.kvm else "software emulation",
                                                      os.path.relpath(m.logpath, ROOT)))
        drive(tap, m, body)
    tap.done()


main()
