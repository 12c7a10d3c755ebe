/* mru.c - daemon-wm's window order as a file (mru.h). */
#include "applets/wm/mru.h"

#include <sodium.h>
#include <string.h>

void mru_digest(const char *app_id, const char *title, uint8_t out[MRU_DIGEST])
{
	crypto_generichash_state st;

	app_id = app_id ? app_id : "";
	title = title ? title : "";
	crypto_generichash_init(&st, NULL, 0, MRU_DIGEST);
	crypto_generichash_update(&st, (const unsigned char *)app_id, strlen(app_id) + 1);	/* with its NUL */
	crypto_generichash_update(&st, (const unsigned char *)title, strlen(title));
	crypto_generichash_final(&st, out, MRU_DIGEST);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int mru_parse(const char *text, size_t len, struct mru *m)
{
	size_t hl = strlen(MRU_HEADER), at = hl;

	memset(m, 0, sizeof(*m));
	if (len < hl || memcmp(text, MRU_HEADER, hl))
		return -1;
	while (m->n < MRU_MAX && len - at >= 2 * MRU_DIGEST + 1 && text[at + 2 * MRU_DIGEST] == '\n') {
		for (int i = 0; i < MRU_DIGEST; i++) {
			int hi = hexval(text[at + 2 * i]), lo = hexval(text[at + 2 * i + 1]);

			if (hi < 0 || lo < 0)
				return 0;
			m->d[m->n][i] = (uint8_t)(hi << 4 | lo);
		}
		m->n++;
		at += 2 * MRU_DIGEST + 1;
	}
	return 0;
}

size_t mru_format(const struct mru *m, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t at = strlen(MRU_HEADER);

	memcpy(out, MRU_HEADER, at);
	for (int k = 0; k < m->n && k < MRU_MAX; k++) {
		for (int i = 0; i < MRU_DIGEST; i++) {
			out[at++] = hex[m->d[k][i] >> 4];
			out[at++] = hex[m->d[k][i] & 15];
		}
		out[at++] = '\n';
	}
	out[at] = 0;
	return at;
}

int mru_rank(struct mru *m, const uint8_t d[MRU_DIGEST])
{
	for (int k = 0; k < m->n; k++) {
		if (!m->taken[k] && !memcmp(m->d[k], d, MRU_DIGEST)) {
			m->taken[k] = 1;
			return k;
		}
	}
	return -1;
}
