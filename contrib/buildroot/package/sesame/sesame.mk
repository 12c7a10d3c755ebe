################################################################################
#
# sesame
#
# Copy this directory to package/sesame (see Config.in).  As shipped it
# builds the sesame tree it sits in (SITE_METHOD local): for a release,
# set SESAME_VERSION and SESAME_SITE to its tarball (make dist makes one
# and prints its SHA-256) and add that hash to sesame.hash.  CI runs the
# make invocation below (contrib/check-recipes.sh).
#
################################################################################

SESAME_VERSION = 0.1.0
# The sesame tree to build: SESAME_SRC_TREE from the environment or
# local.mk (SESAME_OVERRIDE_SRCDIR works too).
SESAME_SITE = $(SESAME_SRC_TREE)
SESAME_SITE_METHOD = local
SESAME_LICENSE = ISC
SESAME_LICENSE_FILES = LICENSE
SESAME_DEPENDENCIES = host-pkgconf libsodium sqlite libseccomp \
	$(if $(BR2_PACKAGE_SESAME_TPM2),tpm2-tss)

# The system's libraries, linked (not loaded at run time), no desktop
# roles, nothing downloaded: every variable a recipe should set.
SESAME_MAKE_OPTS = \
	CC="$(TARGET_CC)" \
	CFLAGS="$(TARGET_CFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS)" \
	PKG_CONFIG="$(PKG_CONFIG_HOST_BINARY)" \
	PREFIX=/usr \
	SQLITE=system \
	DLOPEN=0 \
	DESKTOP=0 \
	TPM2=$(if $(BR2_PACKAGE_SESAME_TPM2),1,0) \
	SANDBOX_DEFAULT=$(if $(BR2_PACKAGE_SESAME_SANDBOX_BEST_EFFORT),best-effort,enforce)

define SESAME_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(SESAME_MAKE_OPTS) sesame
endef

# The binary, its role symlinks, man page and completions; the init
# files per init system below, as busybox.mk does.
define SESAME_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(SESAME_MAKE_OPTS) DESTDIR=$(TARGET_DIR) INIT= install
endef

# busybox init and sysvinit: /etc/init.d/S50sesame (rcS runs it).
define SESAME_INSTALL_INIT_SYSV
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(SESAME_MAKE_OPTS) DESTDIR=$(TARGET_DIR) install-init-sysv
endef

define SESAME_INSTALL_INIT_SYSTEMD
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(SESAME_MAKE_OPTS) DESTDIR=$(TARGET_DIR) install-init-systemd
endef

define SESAME_INSTALL_INIT_OPENRC
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(SESAME_MAKE_OPTS) DESTDIR=$(TARGET_DIR) install-init-openrc
endef

$(eval $(generic-package))
