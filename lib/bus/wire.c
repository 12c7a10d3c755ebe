/* wire.c - encode and decode bus messages; the format is in wire.h. */
#include "lib/bus/wire.h"
#include "lib/core/util.h"

#include <stdio.h>
#include <string.h>

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8, p[1] = v & 0xff; }

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24, p[1] = v >> 16 & 0xff, p[2] = v >> 8 & 0xff, p[3] = v & 0xff;
}

int wire_decode(const uint8_t *buf, size_t len, struct wire_msg *m)
{
	size_t pos;

	if (len < WIRE_HEADER)
		return fail("wire: message of %zu bytes is shorter than its header", len);
	if (len > WIRE_MAX_MESSAGE)
		return fail("wire: message of %zu bytes is too long", len);
	m->version = buf[0];
	m->type = buf[1];
	m->flags = get16(buf + 2);
	m->id = get32(buf + 4);
	m->fields = buf + WIRE_HEADER;
	m->fields_len = len - WIRE_HEADER;
	if (m->version != WIRE_VERSION)
		return fail("wire: protocol version %u, expected %u", m->version, WIRE_VERSION);
	/* Every field must fit before anyone reads one. */
	for (pos = 0; pos < m->fields_len; ) {
		if (m->fields_len - pos < 4)
			return fail("wire: truncated field header at offset %zu", pos + WIRE_HEADER);
		if (get16(m->fields + pos + 2) > m->fields_len - pos - 4)
			return fail("wire: field %u at offset %zu runs past the end",
				get16(m->fields + pos), pos + WIRE_HEADER);
		pos += 4 + get16(m->fields + pos + 2);
	}
	return 0;
}

int wire_next(const struct wire_msg *m, size_t *pos, uint16_t *tag, const uint8_t **val, uint16_t *len)
{
	if (*pos + 4 > m->fields_len)
		return 0;
	*tag = get16(m->fields + *pos);
	*len = get16(m->fields + *pos + 2);
	*val = m->fields + *pos + 4;
	*pos += 4 + (size_t)*len;
	return 1;
}

int wire_next_tag(const struct wire_msg *m, size_t *pos, uint16_t tag, const uint8_t **val, uint16_t *len)
{
	uint16_t t;

	while (wire_next(m, pos, &t, val, len))
		if (t == tag)
			return 1;
	return 0;
}

int wire_find(const struct wire_msg *m, uint16_t tag, const uint8_t **val, uint16_t *len)
{
	size_t pos = 0;

	return wire_next_tag(m, &pos, tag, val, len);
}

uint64_t wire_uint(const uint8_t *v, uint16_t len)
{
	return len == 4 ? get32(v) : len == 8 ? (uint64_t)get32(v) << 32 | get32(v + 4) : 0;
}

int wire_get_u32(const struct wire_msg *m, uint16_t tag, uint32_t *out)
{
	const uint8_t *v;
	uint16_t l;

	if (!wire_find(m, tag, &v, &l) || l != 4)
		return -1;
	*out = get32(v);
	return 0;
}

int wire_get_u64(const struct wire_msg *m, uint16_t tag, uint64_t *out)
{
	const uint8_t *v;
	uint16_t l;

	if (!wire_find(m, tag, &v, &l) || l != 8)
		return -1;
	*out = (uint64_t)get32(v) << 32 | get32(v + 4);
	return 0;
}

int wire_get_str(const struct wire_msg *m, uint16_t tag, char *out, size_t outsz)
{
	const uint8_t *v;
	uint16_t l;

	if (!wire_find(m, tag, &v, &l) || l >= outsz || memchr(v, 0, l))
		return -1;
	memcpy(out, v, l);
	out[l] = 0;
	return 0;
}

void wire_begin(struct wire_out *o, uint8_t type, uint16_t flags, uint32_t id)
{
	o->buf[0] = WIRE_VERSION;
	o->buf[1] = type;
	put16(o->buf + 2, flags);
	put32(o->buf + 4, id);
	o->len = WIRE_HEADER;
	o->overflow = 0;
}

void wire_put(struct wire_out *o, uint16_t tag, const void *val, size_t len)
{
	if (o->overflow || len > 0xffff || len + 4 > sizeof(o->buf) - o->len) {
		o->overflow = 1;
		return;
	}
	put16(o->buf + o->len, tag);
	put16(o->buf + o->len + 2, (uint16_t)len);
	if (len)
		memcpy(o->buf + o->len + 4, val, len);
	o->len += 4 + len;
}

void wire_put_u32(struct wire_out *o, uint16_t tag, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	wire_put(o, tag, b, 4);
}

void wire_put_u64(struct wire_out *o, uint16_t tag, uint64_t v)
{
	uint8_t b[8];

	put32(b, (uint32_t)(v >> 32));
	put32(b + 4, (uint32_t)v);
	wire_put(o, tag, b, 8);
}

void wire_put_str(struct wire_out *o, uint16_t tag, const char *s)
{
	wire_put(o, tag, s, strlen(s));
}

int wire_end(struct wire_out *o)
{
	return o->overflow ? fail("wire: message does not fit in %d bytes", WIRE_MAX_MESSAGE) : 0;
}

void wire_set_id(uint8_t *buf, uint32_t id)
{
	put32(buf + 4, id);
}

void wire_error(struct wire_out *o, const struct wire_msg *req, uint32_t code, const char *text)
{
	wire_begin(o, WIRE_ERROR, WIRE_F_REPLY, req ? req->id : 0);
	wire_put_u32(o, WF_CODE, code);
	wire_put_str(o, WF_TEXT, text);
}

/* One row per message type: its name, the role serving it, and what the
 * hub and the client must know of it.
 *   EARLY  may ride in message 1 (0-RTT): read-only and idempotent, and
 *          its request holds no password, signature or value.  Message 1
 *          can be replayed by whoever captured it (the replayer cannot
 *          read the answer, nor send anything after it), so a request
 *          that changes state must come after the handshake; the hub
 *          refuses any other in message 1.
 *   KDF    may run Argon2id in daemon-secrets: WIRE_KDF_TIMEOUT_MS.
 *   ROLES  only a daemon role may send it (the hub refuses the CLI);
 *   HUB    nobody may send it: the hub does.
 *   SREQ   its request carries secret material (a password, a value);
 *   SREP   its reply does (a value, a key, clipboard text).  Both are
 *          built and read in secure memory and wiped; an EARLY type has
 *          no SREQ (tests/unit/wire.c checks the table).
 * A type with a sender named in the last column is that role's alone
 * (the hub refuses anyone else, before it is routed). */
enum { EARLY = 1, KDF = 2, ROLES = 4, HUB = 8, SREQ = 16, SREP = 32 };
static const struct {
	uint8_t type, flags;
	const char *name;
	signed char role, from;	/* WR_*; from: -1 for anyone */
} types[] = {
	{ WIRE_PING, EARLY, "ping", WR_PROFILE, -1 },
	{ WIRE_STATUS, EARLY, "status", WR_PROFILE, -1 },
	{ WIRE_PROFILE_LIST, EARLY, "profile.list", WR_PROFILE, -1 },
	{ WIRE_PROFILE_ACTIVATE, 0, "profile.activate", WR_PROFILE, -1 },
	{ WIRE_PROFILE_DEACTIVATE, 0, "profile.deactivate", WR_PROFILE, -1 },
	{ WIRE_PROFILE_DEFAULT, 0, "profile.default", WR_PROFILE, -1 },
	{ WIRE_SUBSCRIBE, EARLY, "subscribe", WR_PROFILE, -1 },	/* this connection's own state */
	{ WIRE_EVENT, ROLES, "event", WR_PROFILE, -1 },
	{ WIRE_BATCH, EARLY, "batch", WR_PROFILE, -1 },		/* each request in it is checked */
	{ WIRE_ROLE_INFO, ROLES, "role.info", WR_PROFILE, -1 },
	{ WIRE_ROTATE_KEYS, 0, "rotate.keys", WR_PROFILE, -1 },
	{ WIRE_REKEY, HUB, "rekey", WR_PROFILE, -1 },
	{ WIRE_SECRET_GET, EARLY | SREP, "secret.get", WR_SECRETS, -1 },
	{ WIRE_VAULT_INIT, KDF | SREQ, "vault.init", WR_SECRETS, -1 },
	{ WIRE_UNLOCK, KDF | SREQ, "unlock", WR_SECRETS, -1 },
	{ WIRE_LOCK, 0, "lock", WR_SECRETS, -1 },
	{ WIRE_SECRET_SET, SREQ, "secret.set", WR_SECRETS, -1 },
	{ WIRE_SECRET_DELETE, 0, "secret.delete", WR_SECRETS, -1 },
	{ WIRE_SECRET_LIST, EARLY, "secret.list", WR_SECRETS, -1 },
	{ WIRE_VAULT_STATUS, EARLY, "vault.status", WR_SECRETS, -1 },
	{ WIRE_PASSWD, KDF | SREQ, "passwd", WR_SECRETS, -1 },
	{ WIRE_VAULT_AUTH, EARLY, "vault.auth", WR_SECRETS, -1 },
	{ WIRE_SSH_ENROLL, KDF | SREQ, "ssh.enroll", WR_SECRETS, -1 },
	{ WIRE_SSH_REVOKE, KDF | SREQ, "ssh.revoke", WR_SECRETS, -1 },
	{ WIRE_CLIPBOARD_KEY, ROLES | SREP, "clipboard.key", WR_SECRETS, WR_CLIPBOARD },
	{ WIRE_VAULT_MARK, 0, "vault.mark", WR_SECRETS, -1 },
	{ WIRE_LAUNCH_SEARCH, EARLY, "launch.search", WR_LAUNCHER, -1 },
	{ WIRE_LAUNCH_RUN, 0, "launch.run", WR_LAUNCHER, -1 },
	{ WIRE_SNIPPET_LIST, EARLY, "snippet.list", WR_SNIPPETS, -1 },
	{ WIRE_SNIPPET_ADD, 0, "snippet.add", WR_SNIPPETS, -1 },
	{ WIRE_SNIPPET_REMOVE, 0, "snippet.remove", WR_SNIPPETS, -1 },
	{ WIRE_SNIPPET_EXPAND, SREP, "snippet.expand", WR_SNIPPETS, -1 },
	{ WIRE_CLIPBOARD_GET, EARLY | SREP, "clipboard.get", WR_CLIPBOARD, -1 },
	{ WIRE_CLIPBOARD_HISTORY, EARLY | SREP, "clipboard.history", WR_CLIPBOARD, -1 },
	{ WIRE_CLIPBOARD_CLEAR, 0, "clipboard.clear", WR_CLIPBOARD, -1 },
	{ WIRE_CLIPBOARD_DELETE, 0, "clipboard.delete", WR_CLIPBOARD, -1 },
	{ WIRE_CLIPBOARD_COPY, 0, "clipboard.copy", WR_CLIPBOARD, -1 },
	{ WIRE_CLIPBOARD_SET, SREQ, "clipboard.set", WR_CLIPBOARD, -1 },
	{ WIRE_WM_LIST, EARLY, "wm.list", WR_WM, -1 },
	{ WIRE_WM_FOCUS, 0, "wm.focus", WR_WM, -1 },
	{ WIRE_WM_SWITCH, 0, "wm.switch", WR_WM, -1 },
	{ WIRE_WM_OVERLAY, 0, "wm.overlay", WR_WM, -1 },
	{ WIRE_INPUT_STATUS, EARLY, "input.status", WR_INPUT, -1 },
	{ WIRE_INPUT_LAYERS, EARLY, "input.layers", WR_INPUT, -1 },
};

/* The roles, by enum wire_role; the desktop ones are left out of a
 * DESKTOP=0 build (applets/nodesktop.c names them, checked by
 * tests/unit/wire.c). */
static const struct {
	const char *name;
	int desktop;
} roles[WR_COUNT] = {
	[WR_PROFILE] = { "profile", 0 }, [WR_SECRETS] = { "secrets", 0 }, [WR_LAUNCHER] = { "launcher", 0 },
	[WR_SNIPPETS] = { "snippets", 0 }, [WR_WM] = { "wm", 1 }, [WR_CLIPBOARD] = { "clipboard", 1 },
	[WR_INPUT] = { "input", 1 },
};

const char *wire_role_name(int role)
{
	return role >= 0 && role < WR_COUNT ? roles[role].name : NULL;
}

int wire_role_index(const char *name)
{
	for (int i = 0; i < WR_COUNT; i++)
		if (!strcmp(roles[i].name, name))
			return i;
	return -1;
}

int wire_role_desktop(int role)
{
	return role >= 0 && role < WR_COUNT && roles[role].desktop;
}

int wire_type_role_index(uint8_t type)
{
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		if (types[i].type == type)
			return types[i].role;
	return -1;
}

const char *wire_type_role(uint8_t type)
{
	return wire_role_name(wire_type_role_index(type));
}

const char *wire_type_name(uint8_t type)
{
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		if (types[i].type == type)
			return types[i].name;
	return type == WIRE_ERROR ? "error" : "unknown";
}

static int type_flags(uint8_t type)
{
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		if (types[i].type == type)
			return types[i].flags;
	return 0;
}

int wire_type_kdf(uint8_t type) { return !!(type_flags(type) & KDF); }

const char *wire_type_sender_refused(uint8_t type, const char *sender)
{
	static _Thread_local char why[96];

	for (size_t i = 0; i < ARRAY_LEN(types); i++) {
		if (types[i].type != type)
			continue;
		if (types[i].flags & HUB)
			snprintf(why, sizeof(why), "only the hub sends %s", types[i].name);
		else if (types[i].from >= 0 && strcmp(sender, roles[types[i].from].name))
			snprintf(why, sizeof(why), "%s is for daemon-%s alone", types[i].name,
				roles[types[i].from].name);
		else if (types[i].flags & ROLES && !strcmp(sender, "cli"))
			snprintf(why, sizeof(why), "%s is for daemon roles alone", types[i].name);
		else
			return NULL;
		return why;
	}
	return NULL;
}
int wire_type_early(uint8_t type) { return !!(type_flags(type) & EARLY); }
int wire_type_secret(uint8_t type, int reply) { return !!(type_flags(type) & (reply ? SREP : SREQ)); }

enum err wire_error_code(uint32_t code)
{
	switch (code) {
	case WIRE_E_DENIED: case WIRE_E_LOCKED: return ERR_DENIED;
	case WIRE_E_UNAVAILABLE: return ERR_UNREACHABLE;
	case WIRE_E_TIMEOUT: case WIRE_E_BUSY: return ERR_TIMEOUT;
	case WIRE_E_NOT_FOUND: return ERR_NOT_FOUND;
	default: return ERR_FAILED;
	}
}

void wire_frame_header(uint8_t hdr[4], uint32_t len) { put32(hdr, len); }
uint32_t wire_frame_length(const uint8_t hdr[4]) { return get32(hdr); }

uint8_t *wire_reader_space(struct wire_reader *r, size_t *room)
{
	if (r->hdr_got < 4) {
		*room = 4 - r->hdr_got;
		return r->hdr + r->hdr_got;
	}
	*room = r->len - r->got;
	return r->body + r->got;
}

int wire_reader_commit(struct wire_reader *r, size_t n)
{
	if (r->hdr_got < 4) {
		r->hdr_got += n;
		if (r->hdr_got < 4)
			return 0;
		r->len = wire_frame_length(r->hdr);
		r->got = 0;
		if (r->len == 0 || r->len > WIRE_MAX_FRAME)
			return fail("bad frame length %u", r->len);
		return 0;
	}
	r->got += n;
	if (r->got < r->len)
		return 0;
	r->hdr_got = 0;
	return 1;
}
