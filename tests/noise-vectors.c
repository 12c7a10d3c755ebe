/* noise-vectors FILE... - check lib/noise against test vectors in the
 * cacophony JSON format ({"vectors":[...]}).  Every vector whose protocol
 * lib/noise supports is run end to end: both sides of the handshake, every
 * message compared byte for byte (ciphertext when writing, payload when
 * reading), the handshake hash when given, then transport messages.  Other
 * vectors are skipped.  Prints "N passed, M failed, K skipped" and exits 0
 * only if nothing failed and at least one vector ran. */
#include "lib/core/json.h"
#include "lib/bus/noise.h"
#include "lib/core/util.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int verbose;

/* Hex string field into a malloc'ed buffer; *ok = 0 if present but bad. */
static uint8_t *hex_field(const struct json *v, const char *key, size_t *len, int *ok)
{
	const struct json *f = json_get(v, key);
	uint8_t *out;
	size_t bin_len;

	*len = 0;
	if (!f)
		return NULL;
	if (f->type != JSON_STRING || f->len % 2) {
		*ok = 0;
		return NULL;
	}
	out = xmalloc(f->len / 2 + 1);
	if (sodium_hex2bin(out, f->len / 2 + 1, f->str, f->len, NULL, &bin_len, NULL) != 0 ||
	    bin_len != f->len / 2) {
		free(out);
		*ok = 0;
		return NULL;
	}
	*len = bin_len;
	return out;
}

struct side {
	struct noise_handshake *hs;
	struct noise_cipherstate send, recv;
};

/* Keys for one side from the vector ("init_" or "resp_"). */
static int setup(struct side *sd, const struct noise_protocol *p, int initiator,
	const struct json *v, char *why, size_t wl)
{
	const char *pre = initiator ? "init_" : "resp_";
	char key[64];
	uint8_t *b;
	size_t len;
	int ok = 1;
	const struct json *psks;

	snprintf(key, sizeof(key), "%sprologue", pre);
	b = hex_field(v, key, &len, &ok);
	sd->hs = noise_handshake_new(p, initiator, b ? b : (const uint8_t *)"", len);
	free(b);
	if (!sd->hs || !ok)
		return snprintf(why, wl, "%s: bad prologue or no memory", pre), -1;

	static const char *const names[] = { "static", "ephemeral", "remote_static" };
	for (int i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "%s%s", pre, names[i]);
		b = hex_field(v, key, &len, &ok);
		if (!ok || (b && len != NOISE_DHLEN)) {
			free(b);
			return snprintf(why, wl, "%s: not a 32-byte hex key", key), -1;
		}
		if (b) {
			int r = i == 0 ? noise_set_static(sd->hs, b, NULL) :
				i == 1 ? noise_set_ephemeral(sd->hs, b, NULL) : noise_set_remote_static(sd->hs, b);

			sodium_memzero(b, len);
			free(b);
			if (r < 0)
				return snprintf(why, wl, "%s", last_error()), -1;
		}
	}
	snprintf(key, sizeof(key), "%spsks", pre);
	psks = json_get(v, key);
	if (!psks) { /* older files: one "init_psk" */
		snprintf(key, sizeof(key), "%spsk", pre);
		b = hex_field(v, key, &len, &ok);
		if (!ok || (b && len != NOISE_KEYLEN)) {
			free(b);
			return snprintf(why, wl, "%s: not a 32-byte hex key", key), -1;
		}
		if (b && noise_add_psk(sd->hs, b) < 0) {
			free(b);
			return snprintf(why, wl, "%s", last_error()), -1;
		}
		free(b);
	}
	for (size_t i = 0; psks && psks->type == JSON_ARRAY && i < psks->n; i++) {
		const struct json *e = psks->items[i];
		uint8_t psk[NOISE_KEYLEN];
		size_t bl;

		if (e->type != JSON_STRING || e->len != 2 * NOISE_KEYLEN ||
		    sodium_hex2bin(psk, sizeof(psk), e->str, e->len, NULL, &bl, NULL) != 0 ||
		    noise_add_psk(sd->hs, psk) < 0)
			return snprintf(why, wl, "%s[%zu]: bad psk", key, i), -1;
		sodium_memzero(psk, sizeof(psk));
	}
	return 0;
}

/* Run one vector; 1 pass, 0 fail (why says how). */
static int run_vector(const struct noise_protocol *p, const struct json *v, char *why, size_t wl)
{
	struct side sd[2] = { 0 };
	const struct json *msgs = json_get(v, "messages");
	static uint8_t out[NOISE_MAX_MESSAGE], back[NOISE_MAX_MESSAGE];
	int result = 0, split = 0;

	if (!msgs || msgs->type != JSON_ARRAY || msgs->n == 0) {
		snprintf(why, wl, "no messages");
		return 0;
	}
	if (setup(&sd[0], p, 1, v, why, wl) < 0 || setup(&sd[1], p, 0, v, why, wl) < 0)
		goto done;
	for (size_t i = 0; i < msgs->n; i++) {
		const struct json *m = msgs->items[i];
		uint8_t *payload, *ct;
		size_t pl, cl, ol, bl;
		int ok = 1, w, r;

		payload = hex_field(m, "payload", &pl, &ok);
		ct = hex_field(m, "ciphertext", &cl, &ok);
		if (!ok || !json_get(m, "payload") || !json_get(m, "ciphertext")) {
			snprintf(why, wl, "message %zu: missing or bad hex", i);
			free(payload), free(ct);
			goto done;
		}
		/* Who writes: during the handshake the pattern says; after it,
		 * turns keep alternating, except in one-way patterns. */
		w = p->one_way ? 0 : (int)(i % 2);
		r = !w;
		if (!split) {
			if (!noise_my_turn(sd[w].hs)) {
				snprintf(why, wl, "message %zu: pattern order mismatch", i);
				free(payload), free(ct);
				goto done;
			}
			ok = noise_write_message(sd[w].hs, payload, pl, out, sizeof(out), &ol) == 0 &&
				ol == cl && !memcmp(out, ct, cl) &&
				noise_read_message(sd[r].hs, out, ol, back, sizeof(back), &bl) == 0 &&
				bl == pl && !memcmp(back, payload, pl);
		} else {
			ok = noise_encrypt(&sd[w].send, NULL, 0, payload, pl, out, sizeof(out), &ol) == 0 &&
				ol == cl && !memcmp(out, ct, cl) &&
				noise_decrypt(&sd[r].recv, NULL, 0, out, ol, back, sizeof(back), &bl) == 0 &&
				bl == pl && !memcmp(back, payload, pl);
		}
		free(payload), free(ct);
		if (!ok) {
			snprintf(why, wl, "message %zu (%s): mismatch%s%s", i, split ? "transport" : "handshake",
				*last_error() ? ": " : "", last_error());
			goto done;
		}
		if (!split && noise_handshake_done(sd[0].hs) && noise_handshake_done(sd[1].hs)) {
			const struct json *hh = json_get(v, "handshake_hash");
			size_t h0, h1;
			const uint8_t *a = noise_handshake_hash(sd[0].hs, &h0), *b = noise_handshake_hash(sd[1].hs, &h1);

			if (h0 != h1 || memcmp(a, b, h0)) {
				snprintf(why, wl, "the two sides' handshake hashes differ");
				goto done;
			}
			if (hh) {
				uint8_t *want;
				size_t wlen;

				ok = 1;
				want = hex_field(v, "handshake_hash", &wlen, &ok);
				if (!ok || wlen != h0 || memcmp(want, a, h0)) {
					free(want);
					snprintf(why, wl, "handshake hash mismatch");
					goto done;
				}
				free(want);
			}
			if (noise_split(sd[0].hs, &sd[0].send, &sd[0].recv) < 0 ||
			    noise_split(sd[1].hs, &sd[1].send, &sd[1].recv) < 0) {
				snprintf(why, wl, "split: %s", last_error());
				goto done;
			}
			split = 1;
		}
	}
	result = 1;
done:
	for (int i = 0; i < 2; i++) {
		noise_handshake_free(sd[i].hs);
		noise_cipherstate_wipe(&sd[i].send);
		noise_cipherstate_wipe(&sd[i].recv);
	}
	return result;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 1 << 16, n = 0;
	char *buf;

	if (!f)
		return NULL;
	buf = xmalloc(cap);
	for (size_t r; (r = fread(buf + n, 1, cap - n, f)) > 0; ) {
		n += r;
		if (n == cap) {
			if (cap > (64u << 20)) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			buf = xreallocarray(buf, cap *= 2, 1);
		}
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	int pass = 0, failed = 0, skipped = 0, i = 1;

	if (argc > 1 && !strcmp(argv[1], "-v"))
		verbose = 1, i++;
	if (i >= argc) {
		fprintf(stderr, "usage: noise-vectors [-v] FILE...\n");
		return 2;
	}
	if (sodium_init() < 0)
		die("libsodium failed to initialise");
	for (; i < argc; i++) {
		size_t len;
		char *text = slurp(argv[i], &len), err[256];
		struct json *doc;
		const struct json *vecs;

		if (!text)
			die("%s: %s", argv[i], strerror(errno));
		doc = json_parse(text, len, err, sizeof(err));
		free(text);
		if (!doc)
			die("%s: not JSON: %s", argv[i], err);
		vecs = json_get(doc, "vectors");
		if (!vecs || vecs->type != JSON_ARRAY)
			die("%s: no \"vectors\" array", argv[i]);
		for (size_t k = 0; k < vecs->n; k++) {
			const struct json *v = vecs->items[k], *name = json_get(v, "protocol_name");

			if (!name)	/* older cacophony files say "name" */
				name = json_get(v, "name");
			struct noise_protocol p;
			char why[512] = "";

			if (!name || name->type != JSON_STRING) {
				printf("# skip %s vector %zu: no protocol_name\n", argv[i], k);
				skipped++;
				continue;
			}
			if (noise_protocol_parse(name->str, &p) < 0) {
				if (verbose)
					printf("# skip %s: %s\n", name->str, last_error());
				skipped++;
				continue;
			}
			fail("%s", "");
			if (run_vector(&p, v, why, sizeof(why))) {
				pass++;
				if (verbose)
					printf("# pass %s\n", name->str);
			} else {
				failed++;
				printf("# FAIL %s (vector %zu of %s): %s\n", name->str, k, argv[i], why);
			}
		}
		json_free(doc);
	}
	printf("%d passed, %d failed, %d skipped\n", pass, failed, skipped);
	return failed == 0 && pass > 0 ? 0 : 1;
}
