/* bus.c - bus client: connect, handshake, framed encrypted messages with
 * deadlines.  See bus.h. */
#include "lib/bus/bus.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct secrets {		/* lives in secure memory */
	struct noise_cipherstate send, recv;
};

struct bus_client {
	int fd;
	uint32_t next_id;
	struct secrets *s;
	struct noise_handshake *hs;	/* anonymous: sent with the first message */
	/* Frames on the wire are ciphertext (or public handshake data): no
	 * need for secure memory, which is costly to map and unmap. */
	uint8_t frame[4 + WIRE_MAX_FRAME];
};


/* A command holds one client: it lives here rather than in a mapping of
 * its own (a frame buffer is 64 KiB, past malloc's mmap threshold), which
 * spares each call an mmap and an munmap. */
static struct bus_client first_client;
static int first_client_used;

static struct bus_client *client_new(void)
{
	struct bus_client *c;

	if (first_client_used) {
		c = xcalloc(1, sizeof(*c));
	} else {
		first_client_used = 1;
		c = &first_client;
	}
	c->next_id = 1;
	c->fd = -1;
	return c;
}

static void client_free(struct bus_client *c)
{
	if (c != &first_client) {
		free(c);
		return;
	}
	c->s = NULL;
	c->hs = NULL;
	first_client_used = 0;
}


static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready (events) until the absolute deadline. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd pfd = { fd, events, 0 };
		long long left = deadline - now_ms();
		int r;

		if (left <= 0)
			return fail_code(ERR_TIMEOUT, "bus: no response within the deadline");
		r = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail("bus: poll: %s", strerror(errno));
		if (r > 0)
			return 0;
	}
}

static int write_full(int fd, const uint8_t *p, size_t len, long long deadline)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLOUT, deadline) < 0)
				return -1;
			continue;
		}
		if (n < 0)
			return fail_code(ERR_UNREACHABLE, "bus: connection lost: %s", strerror(errno));
		p += n, len -= n;
	}
	return 0;
}

static int read_full(int fd, uint8_t *p, size_t len, long long deadline)
{
	while (len) {
		ssize_t n = recv(fd, p, len, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLIN, deadline) < 0)
				return -1;
			continue;
		}
		if (n == 0)
			return fail_code(ERR_UNREACHABLE, "bus: daemon-profile closed the connection");
		if (n < 0)
			return fail_code(ERR_UNREACHABLE, "bus: connection lost: %s", strerror(errno));
		p += n, len -= n;
	}
	return 0;
}

/* One frame into buf (4 + WIRE_MAX_FRAME); *len is the payload length,
 * which starts at buf + 4. */
static int read_frame(int fd, uint8_t *buf, size_t *len, long long deadline)
{
	uint32_t l;

	if (read_full(fd, buf, 4, deadline) < 0)
		return -1;
	l = wire_frame_length(buf);
	if (l == 0 || l > WIRE_MAX_FRAME)
		return fail("bus: bad frame length %u from daemon-profile", l);
	if (read_full(fd, buf + 4, l, deadline) < 0)
		return -1;
	*len = l;
	return 0;
}

int bus_seal(struct noise_cipherstate *cs, const uint8_t *msg, size_t len, uint8_t *out, size_t *outlen)
{
	size_t n;

	if (noise_encrypt(cs, NULL, 0, msg, len, out + 4, WIRE_MAX_FRAME, &n) < 0)
		return -1;
	wire_frame_header(out, (uint32_t)n);
	*outlen = n + 4;
	return 0;
}

int bus_read_key(const char *path, uint8_t key[32])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return fail("%s: %s", path, strerror(errno));
	if (paths_check_private(path) < 0) {
		close(fd);
		return -1;
	}
	n = read(fd, key, 32);
	close(fd);
	if (n != 32)
		return fail("%s: not a 32-byte key", path);
	return 0;
}

int bus_write_key(const char *path, const uint8_t key[32], int mode)
{
	char tmp[PATH_MAX];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return fail("%s: path too long", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return fail("cannot create %s: %s", tmp, strerror(errno));
	if (fchmod(fd, mode) < 0 || write_all(fd, key, 32) < 0 || fsync(fd) < 0) {
		close(fd);
		unlink(tmp);
		return fail("cannot write %s: %s", tmp, strerror(errno));
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return fail("cannot rename %s: %s", tmp, strerror(errno));
	}
	return 0;
}

static int read_pub(const struct paths *p, uint8_t pub[32])
{
	char path[PATH_MAX];
	int fd;
	ssize_t n;

	paths_join(path, p->runtime, "bus.pub");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_code(ERR_UNREACHABLE, "daemon-profile is not running (cannot read %s: %s)",
			path, strerror(errno));
	n = read(fd, pub, 32);
	close(fd);
	if (n != 32)
		return fail_code(ERR_UNREACHABLE, "%s is not a bus key; is daemon-profile starting?", path);
	return 0;
}

/* Message 2 read: the session keys, in one secretmem page. */
static int finish_handshake(struct bus_client *c, struct noise_handshake *hs, long long deadline)
{
	struct noise_cipherstate send, recv;
	uint8_t payload[64];
	size_t n;
	int r = -1;

	if (read_frame(c->fd, c->frame, &n, deadline) < 0)
		goto out;
	if (noise_read_message(hs, c->frame + 4, n, payload, sizeof(payload), &n) < 0) {
		fail("bus: handshake with daemon-profile failed (%s); is the bus key stale?", last_error());
		goto out;
	}
	r = noise_split(hs, &send, &recv);
out:
	/* The handshake's page goes back to the cache before the session keys
	 * take one, so a CLI call maps a single secretmem page. */
	noise_handshake_free(hs);
	if (r == 0 && !(c->s = secmem_alloc(sizeof(*c->s))))
		r = -1;
	if (r == 0) {
		c->s->send = send;
		c->s->recv = recv;
	}
	noise_cipherstate_wipe(&send);
	noise_cipherstate_wipe(&recv);
	return r;
}

/* Message 1 (after the pattern byte) with payload, then message 2. */
static int send_first(struct bus_client *c, struct noise_handshake *hs, uint8_t pattern,
	const uint8_t *payload, size_t plen, long long deadline)
{
	size_t n;

	c->frame[4] = pattern;
	if (noise_write_message(hs, payload, plen, c->frame + 5, WIRE_MAX_FRAME - 1, &n) < 0) {
		noise_handshake_free(hs);
		return -1;
	}
	wire_frame_header(c->frame, (uint32_t)n + 1);
	if (write_full(c->fd, c->frame, n + 5, deadline) < 0) {
		noise_handshake_free(hs);
		return -1;
	}
	return finish_handshake(c, hs, deadline);
}

/* A daemon role: Noise IK with its registered key. */
static int handshake_ik(struct bus_client *c, const struct paths *p, const uint8_t *key, long long deadline)
{
	struct noise_protocol proto;
	struct noise_handshake *hs;
	uint8_t server_pub[32];

	if (read_pub(p, server_pub) < 0 || noise_protocol_parse(WIRE_NOISE_IK, &proto) < 0 ||
	    !(hs = noise_handshake_new(&proto, 1, (const uint8_t *)WIRE_PROLOGUE, strlen(WIRE_PROLOGUE))))
		return -1;
	noise_set_static(hs, key, NULL);
	noise_set_remote_static(hs, server_pub);
	return send_first(c, hs, WIRE_HS_IK, NULL, 0, deadline);
}

/* The CLI: NNpsk0 with cli.psk, the first request riding in message 1.
 * The key is read straight into the handshake's page: a command maps one
 * page of locked memory, not two (each costs it ~4% of its time).  The
 * ephemeral key is made before connecting, so message 1 follows the
 * connect closely and the hub finds it already there when it accepts. */
static int prepare_anonymous(struct bus_client *c, const struct paths *p)
{
	struct noise_protocol proto;
	char path[PATH_MAX];
	uint8_t *psk;
	int fd;
	ssize_t n;

	paths_join(path, p->runtime, "cli.psk");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return fail_code(ERR_UNREACHABLE, "daemon-profile is not running (cannot read %s: %s)",
			path, strerror(errno));
	if (noise_protocol_parse(WIRE_NOISE_CLI, &proto) < 0 ||
	    !(c->hs = noise_handshake_new(&proto, 1, (const uint8_t *)WIRE_PROLOGUE, strlen(WIRE_PROLOGUE))) ||
	    !(psk = noise_psk_slot(c->hs)) || noise_make_ephemeral(c->hs) < 0) {
		close(fd);
		return -1;
	}
	n = read(fd, psk, 32);
	close(fd);
	if (n != 32)
		return fail_code(ERR_UNREACHABLE, "%s is not a bus key; is daemon-profile starting?", path);
	return 0;
}

struct bus_client *bus_connect(const struct paths *p, const char *key_file, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct bus_client *c;
	uint8_t *key = NULL;
	long long deadline = now_ms() + timeout_ms;
	char path[PATH_MAX];

	paths_join(path, p->runtime, "bus.sock");
	if (strlen(path) >= sizeof(sa.sun_path))
		return fail("bus: socket path too long: %s", path), NULL;
	strcpy(sa.sun_path, path);
	c = client_new();
	if (!key_file && prepare_anonymous(c, p) < 0) {
		bus_close(c);
		return NULL;
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fail_code(ERR_UNREACHABLE, "cannot connect to %s: %s (is daemon-profile running?)",
			path, strerror(errno));
		bus_close(c);
		return NULL;
	}
	if (!key_file)
		return c;	/* the handshake goes with the first message */
	if (!(key = secmem_alloc(32)) || bus_read_key(key_file, key) < 0 ||
	    handshake_ik(c, p, key, deadline) < 0) {
		secmem_free(key);
		bus_close(c);
		return NULL;
	}
	secmem_free(key);
	return c;
}

struct bus_client *bus_connect_retry(const struct paths *p, const char *key_file, int give_up_ms)
{
	long long end = now_ms() + give_up_ms;
	int delay = 50;

	for (;;) {
		struct bus_client *c = bus_connect(p, key_file, BUS_CLI_TIMEOUT_MS);

		if (c || (give_up_ms && now_ms() + delay > end))
			return c;
		usleep(delay * 1000);
		if (delay < 2000)
			delay *= 2;
	}
}

void bus_close(struct bus_client *c)
{
	if (!c)
		return;
	noise_handshake_free(c->hs);
	if (c->fd >= 0)
		close(c->fd);
	secmem_free(c->s);
	client_free(c);
}

int bus_fd(const struct bus_client *c) { return c->fd; }

int bus_send(struct bus_client *c, struct wire_out *msg)
{
	long long deadline = now_ms() + BUS_CLI_TIMEOUT_MS;
	struct noise_handshake *hs = c->hs;
	size_t n;

	if (wire_end(msg) < 0)
		return -1;
	if (hs) {
		int early = wire_type_early(msg->buf[1]) && msg->len <= WIRE_EARLY_MAX;

		c->hs = NULL;
		if (send_first(c, hs, WIRE_HS_CLI, early ? msg->buf : NULL, early ? msg->len : 0, deadline) < 0)
			return -1;
		if (early)
			return 0;
	}
	if (bus_seal(&c->s->send, msg->buf, msg->len, c->frame, &n) < 0)
		return -1;
	return write_full(c->fd, c->frame, n, deadline);
}

int bus_recv(struct bus_client *c, uint8_t *buf, struct wire_msg *m, int timeout_ms)
{
	size_t n, pl;

	if (!c->s)
		return fail("bus: no session yet (nothing was sent)");
	if (read_frame(c->fd, c->frame, &n, now_ms() + timeout_ms) < 0)
		return -1;
	if (noise_decrypt(&c->s->recv, NULL, 0, c->frame + 4, n, buf, WIRE_MAX_MESSAGE, &pl) < 0)
		return fail("bus: %s", last_error());
	sodium_memzero(c->frame, n + 4);
	if (wire_decode(buf, pl, m) < 0)
		return fail("%s", last_error());
	return 0;
}

/* Requests that may all go 0-RTT, as one WIRE_BATCH with this id for
 * message 1; 0 if one may not, or they would not fit. */
static int make_batch(struct wire_out *b, struct wire_out **reqs, int n, uint32_t id)
{
	wire_begin(b, WIRE_BATCH, 0, id);
	for (int i = 0; i < n; i++) {
		if (!wire_type_early(reqs[i]->buf[1]) || wire_end(reqs[i]) < 0)
			return 0;
		wire_put(b, WF_MSG, reqs[i]->buf, reqs[i]->len);
	}
	return wire_end(b) == 0 && b->len <= WIRE_EARLY_MAX;
}

/* A request left without an answer: say who did not answer what, and in
 * what time (the role, more than the bus, is what is stuck). */
static int no_answer(uint8_t type, int timeout_ms)
{
	const char *role = wire_type_role(type);

	return fail_code(ERR_TIMEOUT, "daemon-%s did not answer (%s) within %d ms", role ? role : "profile",
		wire_type_name(type), timeout_ms);
}

static int pipeline_timeout(struct wire_out **reqs, const struct wire_msg *replies, int n, int timeout_ms)
{
	for (int i = 0; i < n; i++)
		if (replies[i].type == 0xff)
			return no_answer(reqs[i]->buf[1], timeout_ms);
	return no_answer(reqs[0]->buf[1], timeout_ms);
}

int bus_pipeline(struct bus_client *c, struct wire_out **reqs, uint8_t **bufs, struct wire_msg *replies,
	int n, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	uint32_t first = c->next_id;
	int got = 0;
	/* Replies, and a batch of requests, may hold values: secure memory. */
	static uint8_t *in;
	static struct wire_out *bp;
	uint32_t batch_id = 0;

	if ((!in && !(in = secmem_alloc(WIRE_MAX_MESSAGE))) || (!bp && !(bp = secmem_alloc(sizeof(*bp)))))
		return -1;
	for (int i = 0; i < n; i++) {
		wire_set_id(reqs[i]->buf, c->next_id++);
		wire_put_u64(reqs[i], WF_DEADLINE, (uint64_t)deadline);
		replies[i].type = 0xff;
	}
	if (c->hs && n > 1 && make_batch(bp, reqs, n, c->next_id))
		batch_id = c->next_id++;
	for (int i = 0; i < (batch_id ? 1 : n); i++)
		if (bus_send(c, batch_id ? bp : reqs[i]) < 0)
			return -1;
	if (batch_id)
		sodium_memzero(bp->buf, bp->len);
	while (got < n) {
		long long left = deadline - now_ms();
		struct wire_msg m;
		uint32_t i;

		if (left <= 0)
			return pipeline_timeout(reqs, replies, n, timeout_ms);
		if (bus_recv(c, in, &m, (int)left) < 0)
			return last_code() == ERR_TIMEOUT ? pipeline_timeout(reqs, replies, n, timeout_ms) : -1;
		if (batch_id && m.id == batch_id && m.type == WIRE_ERROR) {
			/* A hub from before batches (daemons not restarted since
			 * an upgrade): ask again, one request at a time. */
			batch_id = 0;
			for (int k = 0; k < n; k++)
				if (bus_send(c, reqs[k]) < 0)
					return -1;
			continue;
		}
		i = m.id - first;
		if (!(m.flags & WIRE_F_REPLY) || i >= (uint32_t)n || replies[i].type != 0xff)
			continue;
		memcpy(bufs[i], in, WIRE_HEADER + m.fields_len);
		wire_decode(bufs[i], WIRE_HEADER + m.fields_len, &replies[i]);
		sodium_memzero(in, WIRE_HEADER + m.fields_len);
		got++;
	}
	return 0;
}

int bus_request(struct bus_client *c, struct wire_out *req, uint8_t *buf, struct wire_msg *reply,
	int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	uint32_t id = c->next_id++;

	wire_set_id(req->buf, id);
	wire_put_u64(req, WF_DEADLINE, (uint64_t)deadline);	/* wire.h: WF_DEADLINE */
	if (bus_send(c, req) < 0)
		return -1;
	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0)
			return no_answer(req->buf[1], timeout_ms);
		if (bus_recv(c, buf, reply, (int)left) < 0)
			return last_code() == ERR_TIMEOUT ? no_answer(req->buf[1], timeout_ms) : -1;
		if (!(reply->flags & WIRE_F_REPLY) || reply->id != id)
			continue;	/* not ours: an event or a late reply */
		if (reply->type == WIRE_ERROR) {
			uint32_t code = WIRE_E_FAILED;
			char text[256] = "unspecified error";

			wire_get_u32(reply, WF_CODE, &code);
			wire_get_str(reply, WF_TEXT, text, sizeof(text));
			return fail_code(wire_error_code(code), "%s", text);
		}
		return 0;
	}
}

struct bus_client *xbus_connect(const struct paths *p)
{
	struct bus_client *c = bus_connect(p, NULL, BUS_CLI_TIMEOUT_MS);

	if (!c)
		die_code(last_exit(), "%s", last_error());
	return c;
}

void xbus_request(struct bus_client *c, struct wire_out *req, uint8_t *buf, struct wire_msg *reply)
{
	if (bus_request(c, req, buf, reply, BUS_CLI_TIMEOUT_MS) < 0) {
		int code = last_exit();

		sodium_memzero(req->buf, req->len);
		die_code(code, "%s", last_error());
	}
}
