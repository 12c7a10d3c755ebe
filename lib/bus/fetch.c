/* fetch.c - values from other roles, asked without blocking (fetch.h). */
#include "lib/bus/fetch.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <stdio.h>
#include <string.h>

int fetch_add(struct fetch *f, uint8_t type, const char *profile, const char *name)
{
	if (fetch_find(f, type, profile, name))
		return 0;
	if (f->n == FETCH_MAX)
		return fail("more than %d values to fetch", FETCH_MAX);
	memset(&f->v[f->n], 0, sizeof(f->v[f->n]));
	f->v[f->n].type = type;
	snprintf(f->v[f->n].profile, sizeof(f->v[f->n].profile), "%s", profile);
	snprintf(f->v[f->n].name, sizeof(f->v[f->n].name), "%s", name);
	f->n++;
	return 0;
}

int fetch_send(struct fetch *f, struct bus_client *c, uint32_t *next_id, long long deadline)
{
	static struct wire_out o;

	f->deadline = deadline;
	for (int i = 0; i < f->n; i++) {
		struct fetch_item *it = &f->v[i];

		if (!++*next_id)
			++*next_id;
		it->id = *next_id;
		wire_begin(&o, it->type, 0, it->id);
		wire_put_str(&o, WF_PROFILE, it->profile);
		if (it->type == WIRE_SECRET_GET)
			wire_put_str(&o, WF_KEY, it->name);
		if (wire_end(&o) < 0 || bus_send(c, &o) < 0)
			return -1;
	}
	return 0;
}

static void failed(struct fetch *f, const struct fetch_item *it, const struct wire_msg *m, const char *role)
{
	char text[256] = "";
	uint32_t code = WIRE_E_FAILED;
	const char *what = it->type == WIRE_CLIPBOARD_GET ? "the clipboard" : it->name;

	wire_get_u32(m, WF_CODE, &code);
	wire_get_str(m, WF_TEXT, text, sizeof(text));
	f->code = code;
	snprintf(f->profile, sizeof(f->profile), "%s", it->profile);
	if (it->type == WIRE_CLIPBOARD_GET)
		snprintf(f->error, sizeof(f->error), "the clipboard: %s", text);
	else if (code == WIRE_E_LOCKED)
		snprintf(f->error, sizeof(f->error), "profile %s is locked (sesame unlock -p %s)", it->profile,
			it->profile);
	else if (code == WIRE_E_DENIED)
		snprintf(f->error, sizeof(f->error), "daemon-secrets does not let daemon-%s read '%s' of profile "
			"%s: list it in [profiles.%s.secrets.access] %s", role, what, it->profile, it->profile, role);
	else if (code == WIRE_E_NOT_FOUND)
		snprintf(f->error, sizeof(f->error), "profile %s has no secret '%s'", it->profile, what);
	else
		snprintf(f->error, sizeof(f->error), "'%s' of profile %s: %s", what, it->profile, text);
}

int fetch_reply(struct fetch *f, const struct wire_msg *m, const char *role)
{
	for (int i = 0; i < f->n; i++) {
		struct fetch_item *it = &f->v[i];
		const uint8_t *v;
		uint16_t len;

		if (it->id != m->id || it->value)
			continue;
		f->got++;
		if (m->type == WIRE_ERROR) {
			if (!f->code)
				failed(f, it, m, role);
			return 1;
		}
		if (!wire_find(m, WF_VALUE, &v, &len)) {
			v = (const uint8_t *)"";
			len = 0;
		}
		it->value = xsecmem_alloc((size_t)len + 1);
		memcpy(it->value, v, len);
		it->value[len] = 0;
		it->len = len;
		return 1;
	}
	return 0;
}

const struct fetch_item *fetch_find(const struct fetch *f, uint8_t type, const char *profile, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (f->v[i].type == type && !strcmp(f->v[i].profile, profile) && !strcmp(f->v[i].name, name))
			return &f->v[i];
	return NULL;
}

int fetch_done(const struct fetch *f)
{
	return f->code || f->got == f->n;
}

void fetch_free(struct fetch *f)
{
	for (int i = 0; i < f->n; i++) {
		secmem_free(f->v[i].value);	/* wipes */
		f->v[i].value = NULL;
	}
	f->n = f->got = 0;
}

void fetch_list_add(struct fetch **list, struct fetch *f)
{
	f->next = *list;
	*list = f;
}

static struct fetch *unlink_fetch(struct fetch **pp)
{
	struct fetch *f = *pp;

	*pp = f->next;
	f->next = NULL;
	return f;
}

struct fetch *fetch_list_reply(struct fetch **list, const struct wire_msg *m, const char *role)
{
	for (struct fetch **pp = list; *pp; pp = &(*pp)->next) {
		if (!fetch_reply(*pp, m, role))
			continue;
		return fetch_done(*pp) ? unlink_fetch(pp) : NULL;
	}
	return NULL;
}

struct fetch *fetch_list_expired(struct fetch **list, long long now_ms)
{
	for (struct fetch **pp = list; *pp; pp = &(*pp)->next)
		if (now_ms >= (*pp)->deadline)
			return unlink_fetch(pp);
	return NULL;
}
