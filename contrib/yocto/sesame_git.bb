# sesame for Yocto (a layer's recipes-security/sesame/sesame_git.bb).
# Neither Yocto nor its layers can be fetched where sesame is developed:
# CI runs this recipe's make invocation (contrib/check-recipes.sh) with a
# cross compiler whose CC carries --sysroot, as bitbake's does, and a
# sysroot made from Debian's arm64 packages, and checks the installed tree.
SUMMARY = "Secret manager: encrypted per-profile vaults over an encrypted local bus"
DESCRIPTION = "One multicall binary: the sesame CLI and its daemons \
(daemon-profile, daemon-secrets, ...) as symlinks to it.  Headless roles."
HOMEPAGE = "https://example.invalid/sesame"
SECTION = "security"
LICENSE = "ISC"
LIC_FILES_CHKSUM = "file://LICENSE;md5=f146fed17b824f1a6f0b30e37f632ccc"

# Set SESAME_GIT_URI (local.conf) to where the tree is, e.g.
# "git:///srv/git/sesame.git;protocol=file;branch=main".
SESAME_GIT_URI ??= ""
SRC_URI = "${SESAME_GIT_URI}"
SRCREV = "${AUTOREV}"
PV = "0.1.0+git${SRCPV}"
S = "${WORKDIR}/git"

# Linked, not loaded at run time (DLOPEN=0): nothing to RDEPEND on but
# the libraries' own packages, which the shlib dependencies add.
DEPENDS = "libsodium sqlite3 libseccomp"
# The TPM2 unlock factor (README: Headless devices): tpm2-tss comes from
# meta-security's meta-tpm layer.
PACKAGECONFIG ??= ""
PACKAGECONFIG[tpm2] = "TPM2=1,TPM2=0,tpm2-tss"

inherit pkgconfig systemd update-rc.d

# bitbake exports CC (with --sysroot), CFLAGS, LDFLAGS and PKG_CONFIG_*;
# the Makefile takes them from the environment.
EXTRA_OEMAKE = "PREFIX=${prefix} SYSCONFDIR=${sysconfdir} SQLITE=system DLOPEN=0 DESKTOP=0 ${PACKAGECONFIG_CONFARGS} \
	SANDBOX_DEFAULT=enforce INIT='${SESAME_INIT}' SYSV_SCRIPT=sesame \
	SYSTEMDSYSTEMDIR=${systemd_system_unitdir} SYSTEMDUSERDIR=${systemd_user_unitdir}"
SESAME_INIT = "${@bb.utils.contains('DISTRO_FEATURES', 'systemd', 'systemd', '', d)} \
	${@bb.utils.contains('DISTRO_FEATURES', 'sysvinit', 'sysv', '', d)}"

do_compile() {
	oe_runmake sesame
}

do_install() {
	oe_runmake install DESTDIR=${D}
}

INITSCRIPT_NAME = "sesame"
INITSCRIPT_PARAMS = "defaults 50"
# sesame-unlock.service (unlock at boot what needs no person) is
# installed but not enabled: an image that wants it adds it here.
SYSTEMD_SERVICE:${PN} = "sesame-profile.service sesame-secrets.service"
SYSTEMD_AUTO_ENABLE = "enable"

FILES:${PN} += "${systemd_user_unitdir} ${datadir}/bash-completion ${datadir}/zsh ${datadir}/fish"
