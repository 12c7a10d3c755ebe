/* source.c - daemon-clipboard's own selection: an entry put back on the
 * clipboard (sesame clipboard copy) or a secret (sesame secret get
 * --clip), offered as text until someone else copies or its time is up.
 * The text (or image) stays in secure memory, written to each program
 * that pastes it; OWN_MIME, offered with it, keeps it out of the history. */
#include "applets/clipboard/clipboard.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <wayland-client.h>

void clipboard_source_drop(void)
{
	if (TT.own.src)
		zwlr_data_control_source_v1_destroy(TT.own.src);
	if (TT.own.data)
		secmem_free(TT.own.data);
	memset(&TT.own, 0, sizeof(TT.own));
}

/* Someone pastes: the text (or, for the hint type, "secret"), then the
 * pipe closed.  A reader that does not take it at once gets what fits;
 * a paste never stalls the loop. */
static void on_send(void *data, struct zwlr_data_control_source_v1 *s, const char *mime, int32_t fd)
{
	const uint8_t *p = TT.own.data;
	size_t left = TT.own.len;

	if (s != TT.own.src) {
		close(fd);
		return;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);	/* a reader that does not read cannot stall us */
	if (!strcmp(mime, HINT_MIME))
		p = (const uint8_t *)"secret", left = 6;
	else if (!strcmp(mime, OWN_MIME))
		left = 0;
	while (left) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn("clipboard: a paste was not taken in full: %s", n < 0 ? strerror(errno) : "closed");
			break;
		}
		p += n, left -= (size_t)n;
	}
	close(fd);
}

static void on_cancelled(void *data, struct zwlr_data_control_source_v1 *s)
{
	if (s == TT.own.src)
		clipboard_source_drop();
	else
		zwlr_data_control_source_v1_destroy(s);
}

static const struct zwlr_data_control_source_v1_listener source_listener = { on_send, on_cancelled };

int clipboard_source_set(const uint8_t *data, size_t len, const char *mime, int sensitive, long long ttl_ms)
{
	if (!TT.dev || !TT.mgr)
		return fail("there is no Wayland compositor to put it on (daemon-clipboard waits for one)");
	if (!len || len > CLIP_MAX)
		return fail("%zu bytes: a selection is 1 to %d bytes", len, CLIP_MAX);
	clipboard_source_drop();
	TT.own.data = xsecmem_alloc(len);
	memcpy(TT.own.data, data, len);
	TT.own.len = len;
	TT.own.sensitive = sensitive;
	TT.own.ttl_ms = ttl_ms;
	TT.own.src = zwlr_data_control_manager_v1_create_data_source(TT.mgr);
	zwlr_data_control_source_v1_add_listener(TT.own.src, &source_listener, NULL);
	if (mime && !strncmp(mime, "image/", 6))	/* an image: its type */
		zwlr_data_control_source_v1_offer(TT.own.src, mime);
	else
		for (int i = 0; i < CLIP_IMAGES; i++)
			zwlr_data_control_source_v1_offer(TT.own.src, clipboard_text_mimes[i]);
	if (sensitive)
		zwlr_data_control_source_v1_offer(TT.own.src, HINT_MIME);
	zwlr_data_control_source_v1_offer(TT.own.src, OWN_MIME);
	zwlr_data_control_device_v1_set_selection(TT.dev, TT.own.src);
	return 0;
}
