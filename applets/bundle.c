/* bundle.c - `sesame device-key` and `sesame bundle`: fleet
 * provisioning.  A provisioning host seals a device's secrets into a
 * bundle only that device opens (its X25519 key, kept in its vault) and
 * signs it (Ed25519); the device takes a bundle only from a provisioner
 * its policy file trusts, and never an older one than it took last.
 * The format is lib/store/bundle.h. */
#include "applets/applet.h"
#include "lib/bus/bus.h"
#include "lib/cli/cli.h"
#include "lib/cli/envfile.h"
#include "lib/cli/envsecrets.h"
#include "lib/config/config.h"
#include "lib/core/atomicfile.h"
#include "lib/core/paths.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"
#include "lib/store/bundle.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*APPLET device-key device_key_main "print this device's public key for provisioning bundles"
usage: sesame device-key [-p PROFILE]

Prints the device's X25519 public key (base64), which a provisioning host
gives to sesame bundle seal --to.  The key pair is made the first time
and kept in PROFILE's vault (default: default; it must be unlocked) as
the secret sesame.device-key: it never leaves the vault but to open a
bundle.

  -p, --profile NAME   the vault that keeps the device key
*/

/*APPLET bundle bundle_main "seal secrets for one device, and import them there"
usage: sesame bundle keygen FILE
       sesame bundle seal --to DEVICE-KEY --sign-key KEY -p PROFILE [--serial N] [-o OUT] FILE.env
       sesame bundle import [-p PROFILE] FILE

keygen  make a provisioner's Ed25519 key pair: the secret key to FILE
        (mode 0600, never over an existing file), the public key printed
        (base64): put it in the devices' policy file,
          [global.provisioning]
          trusted_keys = ["BASE64"]
        (read from the policy file only: a user's config cannot add one).
seal    the variables of FILE.env (sesame env --env-file's format, so
        sesame://PROFILE/NAME references are read from this host's
        vaults) as secrets of PROFILE on the device whose public key
        (sesame device-key there) is DEVICE-KEY; signed with KEY (a file
        from keygen, or sesame://PROFILE/NAME, a secret holding its
        contents); written to OUT (default FILE.env.bundle).  --serial N
        numbers it (default: the time, in seconds since 1970): a device
        takes only a serial above the last it took from this provisioner
        for this profile.
import  open FILE with this device's key (from PROFILE's vault, default
        default), check its signature against the trusted provisioners,
        that it is for this device and newer than the last one, then store
        its secrets in its profile's vault (which must exist and be
        unlocked).  Nothing is stored unless every check passes.

  --to KEY             seal: the device's public key
  --sign-key KEY       seal: the provisioner's secret key (file or
                       sesame://PROFILE/NAME)
  -p, --profile NAME   seal: the profile on the device; import, device-key:
                       the vault holding the device key
  --serial N           seal: the bundle's number (1 to 2^53)
  -o, --out FILE       seal: where the bundle goes
*/

#define DEVICE_SECRET "sesame.device-key"
#define SERIAL_SECRET "sesame.bundle-serial."
#define KEY_HEADER "sesame-provisioner-key-v1 "

static struct {
	const char *profile, *to, *sign_key, *out;
	long long serial;
} TT;

static void b64(const uint8_t *k, size_t n, char *out, size_t on)
{
	sodium_bin2base64(out, on, k, n, sodium_base64_VARIANT_ORIGINAL);
}

static int unb64(const char *s, uint8_t *k, size_t n)
{
	size_t got;

	return sodium_base642bin(k, n, s, strlen(s), " \t\r\n", &got, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
		got == n ? 0 : -1;
}

/* The device's key pair, made and stored the first time. */
static void device_keys(struct bus_client *c, struct cli_io *io, uint8_t pk[32], uint8_t *sk)
{
	uint8_t *v;
	size_t len;

	if ((v = xcli_secret_fetch(c, io, TT.profile, DEVICE_SECRET, &len))) {
		if (len != crypto_box_SECRETKEYBYTES)
			die("device-key: secret %s of profile %s is not a device key (%zu bytes)", DEVICE_SECRET, TT.profile,
				len);
		memcpy(sk, v, len);
		secmem_free(v);
	} else if (last_code() == ERR_NOT_FOUND) {
		crypto_box_keypair(pk, sk);
		xcli_secret_set(c, io, TT.profile, DEVICE_SECRET, sk, crypto_box_SECRETKEYBYTES);
	} else {
		die_code(last_exit(), "device-key: %s", last_error());
	}
	crypto_scalarmult_base(pk, sk);
}

int device_key_main(int argc, char **argv)
{
	struct cli_io *io;
	struct bus_client *c;
	uint8_t pk[32], *sk = xsecmem_alloc(crypto_box_SECRETKEYBYTES);
	char out[64];
	int o;

	TT.profile = "default";
	while ((o = getopt_long(argc, argv, OPTSTR_device_key, longopts_device_key, NULL)) != -1) {
		if (o == 'p')
			TT.profile = cli_profile_arg("device-key", optarg);
		else
			usage_option("device-key", argv, o, longopts_device_key);
	}
	if (optind < argc)
		usage_error("device-key", "unexpected argument '%s'", argv[optind]);
	io = xcli_io();
	c = xcli_connect();
	device_keys(c, io, pk, sk);
	bus_close(c);
	secmem_free(sk);
	b64(pk, sizeof(pk), out, sizeof(out));
	printf("%s\n", out);
	return fflush(stdout) ? 1 : 0;
}

static int keygen(const char *file)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], *sk = xsecmem_alloc(crypto_sign_SECRETKEYBYTES);
	char *text = xsecmem_alloc(256), out[64];
	struct stat sb;

	if (lstat(file, &sb) == 0)
		die("bundle keygen: %s exists: not replaced (a provisioner's key is made once)", file);
	crypto_sign_keypair(pk, sk);
	memcpy(text, KEY_HEADER, sizeof(KEY_HEADER) - 1);
	b64(sk, crypto_sign_SECRETKEYBYTES, text + sizeof(KEY_HEADER) - 1, 256 - sizeof(KEY_HEADER));
	strcat(text, "\n");
	if (atomic_write(file, text, strlen(text), 0600) < 0)
		die("bundle keygen: %s", last_error());
	secmem_free(text);
	secmem_free(sk);
	b64(pk, sizeof(pk), out, sizeof(out));
	printf("%s\n", out);
	return fflush(stdout) ? 1 : 0;
}

/* The provisioner's secret key: a keygen file (private to this user), or
 * a secret holding such a file's text. */
static uint8_t *sign_key(void)
{
	char profile[PROFILE_BUF], name[SECRET_NAME_MAX + 1], *text;
	uint8_t *sk = xsecmem_alloc(crypto_sign_SECRETKEYBYTES);
	size_t len;
	int r = secret_ref_parse(TT.sign_key, strlen(TT.sign_key), profile, name);

	if (r < 0)
		usage_error("bundle", "--sign-key: %s", last_error());
	if (r) {
		struct cli_io *io = xcli_io();
		struct bus_client *c = xcli_connect();
		uint8_t *v = xcli_secret_fetch(c, io, profile, name, &len);

		bus_close(c);
		if (!v)
			die_code(last_exit(), "bundle seal: --sign-key %s: %s", TT.sign_key, last_error());
		text = xsecmem_alloc(len + 1);
		memcpy(text, v, len);
		text[len] = 0;
		secmem_free(v);
	} else {
		struct stat sb;
		char *t;

		if (stat(TT.sign_key, &sb) == 0 && (sb.st_mode & 077))
			die("bundle seal: %s is open to others (mode %o): chmod 600 it first", TT.sign_key,
				(unsigned)(sb.st_mode & 0777));
		if (!(t = read_file(TT.sign_key, 4096, &len)))
			die("bundle seal: %s: %s", TT.sign_key, last_error());
		text = xsecmem_alloc(len + 1);
		memcpy(text, t, len + 1);
		sodium_memzero(t, len);
		free(t);
	}
	if (strncmp(text, KEY_HEADER, sizeof(KEY_HEADER) - 1) ||
		unb64(text + sizeof(KEY_HEADER) - 1, sk, crypto_sign_SECRETKEYBYTES) < 0)
		die("bundle seal: %s is not a provisioner's key (sesame bundle keygen makes one)", TT.sign_key);
	secmem_free(text);
	return sk;
}

static int seal(const char *envfile)
{
	struct bundle b = { 0 };
	struct envfile e = { 0 };
	struct bus_client *c = NULL;
	struct cli_io *io = NULL;
	char out[4096];
	uint8_t *sk, *file;
	size_t len;
	char *text;

	if (!TT.to || !TT.sign_key || !TT.profile)
		usage_error("bundle", "seal needs --to, --sign-key and -p");
	if (unb64(TT.to, b.device, sizeof(b.device)) < 0)
		usage_error("bundle", "--to: a device's public key, 44 characters of base64 (sesame device-key)");
	if (!(text = read_file(envfile, ENVFILE_MAX, &len)) || envfile_parse(&e, text, len, envfile) < 0)
		die("bundle seal: %s", text ? last_error() : envfile);
	free(text);
	sk = sign_key();
	snprintf(b.secrets.profile, sizeof(b.secrets.profile), "%s", TT.profile);
	b.serial = TT.serial ? (uint64_t)TT.serial : (uint64_t)time(NULL);
	b.created = (uint64_t)time(NULL);
	for (int i = 0; i < e.n; i++) {
		const struct envfile_var *v = &e.v[i];
		uint8_t *val = NULL;
		size_t vl = v->len;

		if (!v->value) {
			if (!c) {
				io = xcli_io();
				c = xcli_connect();
			}
			if (!(val = xcli_secret_fetch(c, io, v->profile, v->secret, &vl)))
				die_code(last_exit(), "bundle seal: %s:%d: sesame://%s/%s: %s; nothing was written", v->file,
					v->line, v->profile, v->secret, last_error());
		}
		if (backup_add(&b.secrets, v->name, val ? val : (const uint8_t *)v->value, vl) < 0)
			die("bundle seal: %s", last_error());
		if (val)
			secmem_free(val);
	}
	if (c)
		bus_close(c);
	envfile_free(&e);
	file = bundle_seal(&b, sk, &len);
	secmem_free(sk);
	snprintf(out, sizeof(out), "%s%s", TT.out ? TT.out : envfile, TT.out ? "" : ".bundle");
	if (!file || atomic_write(out, file, len, 0600) < 0)
		die("bundle seal: %s", last_error());
	free(file);
	printf("Sealed %zu secret%s for profile '%s' on device %.12s..., serial %llu: %s\n", b.secrets.n,
		b.secrets.n == 1 ? "" : "s", b.secrets.profile, TT.to, (unsigned long long)b.serial, out);
	bundle_free(&b);
	return fflush(stdout) ? 1 : 0;
}

/* 1 if the policy file trusts signer. */
static int trusted(const uint8_t signer[32])
{
	struct paths p;
	struct config *c;
	const char *k;
	int yes = 0;

	if (paths_resolve(&p) < 0 || !(c = config_load(&p, NULL, NULL)))
		die("bundle import: the configuration has errors (sesame config check): %s", last_error());
	if (config_locked(c, "global.provisioning.trusted_keys"))
		for (size_t i = 0; (k = config_strv(c, "global.provisioning.trusted_keys", i)) && !yes; i++) {
			uint8_t pk[32];

			if (unb64(k, pk, sizeof(pk)) < 0)
				fprintf(stderr, "sesame: warning: global.provisioning.trusted_keys: '%.60s' is not a "
					"provisioner's public key (44 characters of base64); ignored\n", k);
			else
				yes = sodium_memcmp(pk, signer, 32) == 0;
		}
	config_free(c);
	return yes;
}

static int import(const char *file)
{
	struct cli_io *io = xcli_io();
	struct bus_client *c;
	struct bundle b;
	uint8_t pk[32], *sk = xsecmem_alloc(crypto_box_SECRETKEYBYTES), *f, *v;
	char who[64], serial_name[64], hex[17], num[24];
	unsigned long long last = 0;
	size_t len, vl;

	if (!(f = (uint8_t *)read_file(file, BUNDLE_MAX_FILE, &len)))
		die("bundle import: %s: %s", file, last_error());
	c = xcli_connect();
	device_keys(c, io, pk, sk);
	if (bundle_open(f, len, pk, sk, &b) < 0)
		die("bundle import: %s: %s; nothing was stored", file, last_error());
	secmem_free(sk);
	free(f);
	b64(b.signer, 32, who, sizeof(who));
	if (!trusted(b.signer))
		die("bundle import: %s: signed by %s, a provisioner the policy file does not trust "
			"(global.provisioning.trusted_keys); nothing was stored", file, who);
	sodium_bin2hex(hex, sizeof(hex), b.signer, 8);
	snprintf(serial_name, sizeof(serial_name), SERIAL_SECRET "%s", hex);
	if ((v = xcli_secret_fetch(c, io, b.secrets.profile, serial_name, &vl))) {
		char t[24];

		snprintf(t, sizeof(t), "%.*s", (int)(vl < 23 ? vl : 23), (const char *)v);
		last = strtoull(t, NULL, 10);
		secmem_free(v);
	} else if (last_code() != ERR_NOT_FOUND) {
		die_code(last_exit(), "bundle import: profile %s: %s; nothing was stored", b.secrets.profile,
			last_error());
	}
	if (b.serial <= last)
		die("bundle import: %s: serial %llu, and this device took serial %llu from that provisioner for "
			"profile %s already: an old bundle is not taken again; nothing was stored", file,
			(unsigned long long)b.serial, last, b.secrets.profile);
	for (size_t i = 0; i < b.secrets.n; i++) {
		xcli_secret_set(c, io, b.secrets.profile, b.secrets.s[i].name, b.secrets.s[i].value, b.secrets.s[i].len);
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)b.serial);
	xcli_secret_set(c, io, b.secrets.profile, serial_name, num, strlen(num));
	bus_close(c);
	printf("Imported %zu secret%s into profile '%s' (serial %llu, from provisioner %s).\n", b.secrets.n,
		b.secrets.n == 1 ? "" : "s", b.secrets.profile, (unsigned long long)b.serial, who);
	bundle_free(&b);
	return fflush(stdout) ? 1 : 0;
}

int bundle_main(int argc, char **argv)
{
	const char *sub;
	int o;

	if (argc < 2)
		usage_error("bundle", "which one: keygen, seal or import?");
	sub = argv[1];
	argv++, argc--;
	while ((o = getopt_long(argc, argv, OPTSTR_bundle, longopts_bundle, NULL)) != -1) {
		switch (o) {
		case 'p': TT.profile = cli_profile_arg("bundle", optarg); break;
		case OPT_TO: TT.to = optarg; break;
		case OPT_SIGN_KEY: TT.sign_key = optarg; break;
		case 'o': TT.out = optarg; break;
		case OPT_SERIAL:
			if (parse_range(optarg, 1, 1LL << 53, &TT.serial) < 0)
				usage_error("bundle", "--serial: %s", last_error());
			break;
		default: usage_option("bundle", argv, o, longopts_bundle);
		}
	}
	if (optind != argc - 1)
		usage_error("bundle", "%s: one FILE", sub);
	if (!strcmp(sub, "keygen")) {
		if (TT.profile || TT.to || TT.sign_key || TT.out || TT.serial)
			usage_error("bundle", "keygen takes FILE alone");
		return keygen(argv[optind]);
	}
	if (!strcmp(sub, "seal"))
		return seal(argv[optind]);
	if (!strcmp(sub, "import")) {
		if (TT.to || TT.sign_key || TT.out || TT.serial)
			usage_error("bundle", "import takes -p and FILE");
		if (!TT.profile)
			TT.profile = "default";
		return import(argv[optind]);
	}
	usage_error("bundle", "unknown subcommand '%s' (keygen, seal, import)", sub);
}
