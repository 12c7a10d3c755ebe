/* tpm2data.c - the TPM2 factor's stored data and the TCTI choice: what
 * every build has, with or without tpm2-tss (tpm2.h). */
#include "lib/config/config.h"
#include "lib/core/paths.h"
#include "lib/core/util.h"
#include "lib/tpm2/tpm2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char magic[] = "sesame-tpm2";	/* with its NUL */

int tpm2_data_parse(const uint8_t *d, size_t n, struct tpm2_sealed *s)
{
	size_t pos = sizeof(magic) + 2 + 4;
	uint16_t l;

	memset(s, 0, sizeof(*s));
	if (n < pos || memcmp(d, magic, sizeof(magic)))
		return fail("TPM2 data: not sesame's");
	if (d[sizeof(magic)] != 1)
		return fail("TPM2 data: version %u, this sesame reads 1", d[sizeof(magic)]);
	if (d[sizeof(magic) + 1] & ~1u)
		return fail("TPM2 data: unknown flags %#x", d[sizeof(magic) + 1]);
	s->pin = d[sizeof(magic) + 1] & 1;
	s->pcrs = (uint32_t)d[pos - 4] << 24 | (uint32_t)d[pos - 3] << 16 | (uint32_t)d[pos - 2] << 8 | d[pos - 1];
	if (s->pcrs >> TPM2_MAX_PCR)
		return fail("TPM2 data: PCR mask %#x names PCRs past %d", (unsigned)s->pcrs, TPM2_MAX_PCR - 1);
	for (int i = 0; i < TPM2_MAX_PCR; i++) {
		if (!(s->pcrs >> i & 1))
			continue;
		if (n - pos < 32)
			return fail("TPM2 data: truncated in the PCR values");
		memcpy(s->values[i], d + pos, 32);
		pos += 32;
	}
	for (int b = 0; b < 2; b++) {
		if (n - pos < 2)
			return fail("TPM2 data: truncated before the %s blob", b ? "private" : "public");
		l = (uint16_t)(d[pos] << 8 | d[pos + 1]);
		pos += 2;
		if (!l || l > TPM2_MAX_BLOB || n - pos < l)
			return fail("TPM2 data: a %s blob of %u bytes (1 to %d, and within the data)", b ? "private" :
				"public", l, TPM2_MAX_BLOB);
		memcpy(b ? s->priv : s->pub, d + pos, l);
		*(b ? &s->privlen : &s->publen) = l;
		pos += l;
	}
	if (pos != n)
		return fail("TPM2 data: %zu bytes after the end", n - pos);
	return 0;
}

size_t tpm2_data_format(const struct tpm2_sealed *s, uint8_t *out, size_t n)
{
	size_t pos = sizeof(magic) + 2 + 4, need = pos + 4 + s->publen + s->privlen;

	for (int i = 0; i < TPM2_MAX_PCR; i++)
		need += (s->pcrs >> i & 1) * 32;
	if (need > n || s->publen > TPM2_MAX_BLOB || s->privlen > TPM2_MAX_BLOB || s->pcrs >> TPM2_MAX_PCR)
		return 0;
	memcpy(out, magic, sizeof(magic));
	out[sizeof(magic)] = 1;
	out[sizeof(magic) + 1] = (uint8_t)(s->pin ? 1 : 0);
	for (int i = 0; i < 4; i++)
		out[pos - 4 + i] = (uint8_t)(s->pcrs >> (24 - 8 * i));
	for (int i = 0; i < TPM2_MAX_PCR; i++)
		if (s->pcrs >> i & 1) {
			memcpy(out + pos, s->values[i], 32);
			pos += 32;
		}
	out[pos] = (uint8_t)(s->publen >> 8), out[pos + 1] = (uint8_t)s->publen;
	memcpy(out + pos + 2, s->pub, s->publen);
	pos += 2 + s->publen;
	out[pos] = (uint8_t)(s->privlen >> 8), out[pos + 1] = (uint8_t)s->privlen;
	memcpy(out + pos + 2, s->priv, s->privlen);
	return pos + 2 + s->privlen;
}

int tpm2_pcrs_parse(const char *list, uint32_t *mask)
{
	const char *p = list;

	*mask = 0;
	if (!strcmp(list, "none") || !*list)
		return 0;
	for (;;) {
		char num[8];
		size_t n = strcspn(p, ",");
		long long v;

		snprintf(num, sizeof(num), "%.*s", (int)(n < sizeof(num) ? n : sizeof(num) - 1), p);
		if (n >= sizeof(num) || parse_range(num, 0, TPM2_MAX_PCR - 1, &v) < 0)
			return fail("'%s': PCRs are numbers 0 to %d, separated by commas (7,11), or none", list,
				TPM2_MAX_PCR - 1);
		*mask |= 1u << v;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

void tpm2_pcrs_format(uint32_t mask, char *out, size_t n)
{
	size_t len = 0;

	snprintf(out, n, "none");
	for (int i = 0; i < TPM2_MAX_PCR && len < n; i++)
		if (mask >> i & 1)
			len += (size_t)snprintf(out + len, n - len, "%s%d", len ? "," : "", i);
}

const char *tpm2_tcti(void)
{
	static char tcti[256];
	const char *e = getenv("SESAME_TPM2_TCTI");
	struct config *cf;
	struct paths p;

	if (e && *e)
		return e;
	if (*tcti)
		return tcti;
	snprintf(tcti, sizeof(tcti), "device:/dev/tpmrm0");
	if (paths_resolve(&p) == 0 && (cf = config_load(&p, NULL, NULL))) {
		const char *c = config_str(cf, "global.tpm2.tcti", NULL);

		if (c && *c)
			snprintf(tcti, sizeof(tcti), "%s", c);
		config_free(cf);
	}
	return tcti;
}

/* Response codes (TPM 2.0 Part 2, 6.6): format one has bit 7 set and its
 * low 6 bits the error; the rest names a parameter, handle or session. */
#define RC_FMT1 0x080u
#define RC_WARN 0x900u

int tpm2_fail_rc(uint32_t rc, const char *what)
{
	unsigned c = rc & RC_FMT1 ? RC_FMT1 | (rc & 0x3f) : rc & 0x97f;

	if (c == RC_WARN + 0x021)	/* TPM_RC_LOCKOUT */
		return fail("the TPM is in dictionary-attack lockout (too many wrong PINs); it lets a PIN be tried "
			"again after its recovery time (tpm2_getcap properties-variable: TPM2_PT_LOCKOUT_RECOVERY), "
			"or tpm2_dictionarylockout --clear-lockout with the lockout password");
	if (c == RC_FMT1 + 0x00e || c == RC_FMT1 + 0x022)	/* TPM_RC_AUTH_FAIL, TPM_RC_BAD_AUTH */
		return fail("wrong TPM2 PIN (the TPM counts it toward its lockout)");
	if (c == RC_FMT1 + 0x01f || c == RC_FMT1 + 0x025)	/* TPM_RC_INTEGRITY, TPM_RC_BINDING */
		return fail("the sealed key does not load in this TPM: the TPM was cleared since enrolment, or this "
			"is another TPM (a vault copied to another machine); unlock with another factor and enroll "
			"the TPM again (sesame tpm2 enroll)");
	if (c == RC_WARN + 0x022 || c == RC_WARN + 0x008 || c == RC_WARN + 0x00a)	/* RETRY, YIELDED, TESTING */
		return fail("the TPM is busy (%s); try again", what);
	return fail("TPM: %s failed (response code 0x%x)", what, (unsigned)rc);
}

int tpm2_fail_pcrs(uint32_t changed)
{
	char list[96];

	tpm2_pcrs_format(changed, list, sizeof(list));
	return fail("PCR %s changed since the TPM2 factor was enrolled (the boot chain or its configuration "
		"changed): the TPM will not unseal.  Unlock with the password, then run sesame tpm2 enroll "
		"again to seal to the new values", list);
}
