/* tpm2_link.c - the static build's TPM2 client (tpm2_mini.c): the
 * connection to /dev/tpmrm0 or a swtpm socket, every read bounded by the
 * time left of TPM2_TIMEOUT_MS, and the framing of commands.  Built with
 * TPM2_MINI_FUZZ, the responses come from tests/fuzz/tpm2resp.c. */
#include "lib/core/util.h"
#include "lib/tpm2/tpm2.h"
#include "lib/tpm2/tpm2_mini.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>


long long tpm2m_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#ifndef TPM2_MINI_FUZZ
/* Wait until fd is ready for events, within the deadline. */
static int ready(struct tpm *t, short events)
{
	for (;;) {
		struct pollfd p = { t->fd, events, 0 };
		long long left = t->deadline - tpm2m_now_ms();
		int r;

		if (left <= 0)
			return fail("the TPM at %s did not answer within %d ms", tpm2_tcti(), TPM2_TIMEOUT_MS);
		if ((r = poll(&p, 1, (int)left)) > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return fail("the TPM at %s: poll: %s", tpm2_tcti(), strerror(errno));
	}
}

/* "swtpm:host=H,port=P" (tpm2-tss's form) into host and port. */
static int swtpm_addr(const char *conf, char *host, size_t hn, char *port, size_t pn)
{
	snprintf(host, hn, "127.0.0.1");
	snprintf(port, pn, "2321");
	for (const char *p = conf; *p;) {
		size_t n = strcspn(p, ",");

		if (!strncmp(p, "host=", 5) && n - 5 < hn)
			snprintf(host, hn, "%.*s", (int)(n - 5), p + 5);
		else if (!strncmp(p, "port=", 5) && n - 5 < pn)
			snprintf(port, pn, "%.*s", (int)(n - 5), p + 5);
		else
			return fail("TCTI swtpm:%s: host=H,port=P only", conf);
		p += n + (p[n] == ',');
	}
	return 0;
}

int tpm2m_connect(struct tpm *t)
{
	const char *tcti = tpm2_tcti();
	char host[256], port[16];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int e;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->deadline = tpm2m_now_ms() + TPM2_TIMEOUT_MS;
	if (!strcmp(tcti, "device") || !strncmp(tcti, "device:", 7)) {
		const char *dev = tcti[6] == ':' && tcti[7] ? tcti + 7 : "/dev/tpmrm0";

		if ((t->fd = open(dev, O_RDWR | O_CLOEXEC | O_NONBLOCK)) < 0)
			return fail("no TPM at %s (%s): %s", tcti, strerror(errno), "no TPM in this machine, or its "
				"driver (tpm_tis, tpm_crb) is not loaded, or no access to it");
		return 0;
	}
	if (strncmp(tcti, "swtpm:", 6) && strcmp(tcti, "swtpm"))
		return fail("TCTI '%s': this sesame (without tpm2-tss) speaks to device:PATH and "
			"swtpm:host=H,port=P only", tcti);
	if (swtpm_addr(tcti[5] ? tcti + 6 : "", host, sizeof(host), port, sizeof(port)) < 0)
		return -1;
	if ((e = getaddrinfo(host, port, &hints, &ai)) != 0)
		return fail("no TPM at %s: %s", tcti, gai_strerror(e));
	t->stream = 1;
	if ((t->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0 ||
	    (connect(t->fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)) {
		e = errno;
		freeaddrinfo(ai);
		return fail("no TPM at %s (%s): is the TPM (simulator) running there?", tcti, strerror(e));
	}
	freeaddrinfo(ai);
	if (ready(t, POLLOUT) < 0)
		return -1;
	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &e, &(socklen_t){ sizeof(e) }) < 0 || e)
		return fail("no TPM at %s (%s): is the TPM (simulator) running there?", tcti, strerror(e));
	return 0;
}

#else
/* tests/fuzz/tpm2resp.c: the TPM's responses come from the fuzzer, each
 * a 16-bit length and that many bytes; no device, no socket. */
static const uint8_t *fuzz_in;
static size_t fuzz_left;

int tpm2m_connect(struct tpm *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->deadline = tpm2m_now_ms() + TPM2_TIMEOUT_MS;
	return 0;
}
#endif

static long transact_once(struct tpm *t, const struct out *cmd, size_t *rlen);

/* Send a command, read its response into t->resp; the response's code,
 * or -1 with a reason (no answer, a malformed one).  A command the TPM
 * did not start (TPM_RC_RETRY, _YIELDED, _TESTING: it was busy, as with a
 * dictionary-attack counter to write) is sent again, as tpm2-tss does,
 * until the deadline. */
long tpm2m_transact(struct tpm *t, const struct out *cmd, size_t *rlen)
{
	long rc;

	while ((rc = transact_once(t, cmd, rlen)) == 0x922 || rc == 0x908 || rc == 0x90a) {
		if (tpm2m_now_ms() + 20 >= t->deadline)
			break;
		nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	}
	return rc;
}

#ifndef TPM2_MINI_FUZZ
static long transact_once(struct tpm *t, const struct out *cmd, size_t *rlen)
{
	size_t done = 0, want = 10;
	ssize_t n;

	if (cmd->over)
		return fail("a TPM command too large to send");
	while (done < cmd->n) {
		if (ready(t, POLLOUT) < 0)
			return -1;
		if ((n = write(t->fd, cmd->b + done, cmd->n - done)) < 0 && errno != EINTR && errno != EAGAIN)
			return fail("cannot talk to the TPM at %s: %s", tpm2_tcti(), strerror(errno));
		done += n > 0 ? (size_t)n : 0;
	}
	done = 0;
	while (done < want) {
		if (ready(t, POLLIN) < 0)
			return -1;
		n = read(t->fd, t->resp + done, t->stream ? want - done : sizeof(t->resp) - done);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return fail("the TPM at %s closed the connection%s%s", tpm2_tcti(), n ? ": " : "",
				n ? strerror(errno) : "");
		done += (size_t)n;
		if (done >= 10) {
			uint32_t size = (uint32_t)t->resp[2] << 24 | (uint32_t)t->resp[3] << 16 |
				(uint32_t)t->resp[4] << 8 | t->resp[5];

			if (size < 10 || size > sizeof(t->resp))
				return fail("the TPM answered a malformed response (%u bytes)", size);
			want = size;
			if (!t->stream && done != want)
				return fail("the TPM answered %zu bytes of a %u-byte response", done, size);
		}
	}
	*rlen = want;
	return (long)((uint32_t)t->resp[6] << 24 | (uint32_t)t->resp[7] << 16 | (uint32_t)t->resp[8] << 8 |
		t->resp[9]);
}
#else
static long transact_once(struct tpm *t, const struct out *cmd, size_t *rlen)
{
	size_t n, size;

	if (cmd->over || fuzz_left < 2)
		return fail("no more responses");
	n = (size_t)(fuzz_in[0] << 8 | fuzz_in[1]);
	fuzz_in += 2, fuzz_left -= 2;
	if (n > fuzz_left || n > sizeof(t->resp))
		n = fuzz_left < sizeof(t->resp) ? fuzz_left : sizeof(t->resp);
	memcpy(t->resp, fuzz_in, n);
	fuzz_in += n, fuzz_left -= n;
	if (n < 10)
		return fail("the TPM answered a malformed response");
	size = (size_t)t->resp[2] << 24 | (size_t)t->resp[3] << 16 | (size_t)t->resp[4] << 8 | t->resp[5];
	if (size != n)
		return fail("the TPM answered a malformed response (%zu bytes)", size);
	*rlen = n;
	return (long)((uint32_t)t->resp[6] << 24 | (uint32_t)t->resp[7] << 16 | (uint32_t)t->resp[8] << 8 |
		t->resp[9]);
}
#endif

/* A command without sessions: header, handles, parameters. */
void tpm2m_begin(struct out *o, unsigned tag, uint32_t cc)
{
	o->n = 0;
	o->over = 0;
	put16(o, tag);
	put32(o, 0);	/* the size, set by finish */
	put32(o, cc);
}

void tpm2m_finish(struct out *o)
{
	if (!o->over)
		set32(o->b + 2, (uint32_t)o->n);
}

void tpm2m_flush(struct tpm *t, uint32_t h)
{
	struct out o;
	size_t n;

	tpm2m_begin(&o, ST_NO_SESSIONS, CC_FlushContext);
	put32(&o, h);
	tpm2m_finish(&o);
	tpm2m_transact(t, &o, &n);
}

