/* toplevel.c - daemon-wm's model of the compositor's windows: the
 * wlr-foreign-toplevel events kept as windows in most-recently-focused
 * order, each change published to subscribers, the order kept in wm.mru
 * (mru.h) for the next daemon-wm. */
#include "applets/wm/mru.h"
#include "applets/wm/wm.h"
#include "lib/core/log.h"
#include "lib/core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wayland-client.h>

struct win *wm_find_id(uint32_t id)
{
	for (struct win *w = TT.wins; w; w = w->next)
		if (w->id == id && w->ready)
			return w;
	return NULL;
}

static void set_text(char **dst, const char *s)
{
	size_t n = strnlen(s, MAX_TEXT);

	free(*dst);
	*dst = xmalloc(n + 1);
	memcpy(*dst, s, n);
	(*dst)[n] = 0;
	/* Cut back to a whole UTF-8 character if the bound split one. */
	while (n && !utf8_valid(*dst, n))
		(*dst)[--n] = 0;
}

/* --- toplevel events ---------------------------------------------------- */

static void on_title(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, const char *title)
{
	set_text(&((struct win *)data)->p_title, title);
}

static void on_app_id(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, const char *app_id)
{
	set_text(&((struct win *)data)->p_app_id, app_id);
}

static void on_output_enter(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, struct wl_output *o) { }
static void on_output_leave(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, struct wl_output *o) { }

static void on_state(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, struct wl_array *states)
{
	struct win *w = data;
	const uint32_t *s;

	w->p_focused = 0;
	wl_array_for_each(s, states)
		if (*s == ZWLR_FOREIGN_TOPLEVEL_HANDLE_V1_STATE_ACTIVATED)
			w->p_focused = 1;
}

/* A window opened, was focused or closed: an event for subscribers
 * (sesame wm watch).  Nothing while disconnected. */
static void publish(const struct win *w, const char *what)
{
	static struct wire_out ev;

	wire_begin(&ev, WIRE_EVENT, 0, 0);
	wire_put_str(&ev, WF_STATE, what);
	wire_put_u32(&ev, WF_WINDOW, w->id);
	wire_put_str(&ev, WF_APP_ID, w->app_id ? w->app_id : "");
	wire_put_str(&ev, WF_TITLE, w->title ? w->title : "");
	role_send(&TT.r, &ev);
}

static void on_done(void *data, struct zwlr_foreign_toplevel_handle_v1 *h)
{
	struct win *w = data;
	int newly_focused = w->p_focused && (!w->focused || !w->ready);

	if (w->p_title) {
		free(w->title);
		w->title = w->p_title;
		w->p_title = NULL;
	}
	if (w->p_app_id) {
		free(w->app_id);
		w->app_id = w->p_app_id;
		w->p_app_id = NULL;
	}
	/* A window becoming focused goes to the front; a new one that is not
	 * focused goes just behind the front (it has never been used). */
	if (w->p_focused && (!w->focused || !w->ready))
		w->seq = ++TT.next_seq;
	else if (!w->ready)
		w->seq = TT.next_seq ? TT.next_seq - 1 : 0;
	w->focused = w->p_focused;
	if (w->focused && w->ready)
		wm_answer(w->id, 0);
	if (!w->ready) {
		log_debug("window %u: %s", w->id, w->app_id ? w->app_id : "(no app id)");
		publish(w, "opened");
	}
	if (newly_focused)
		publish(w, "focused");
	w->ready = 1;
	wm_order_save();
}

void wm_publish_focus(void)
{
	for (const struct win *w = TT.wins; w; w = w->next)
		if (w->ready && w->focused) {
			publish(w, "focused");
			return;
		}
}

void wm_win_free(struct win *w)
{
	free(w->app_id);
	free(w->title);
	free(w->p_app_id);
	free(w->p_title);
	free(w);
}

static void on_closed(void *data, struct zwlr_foreign_toplevel_handle_v1 *h)
{
	struct win *w = data;

	for (struct win **p = &TT.wins; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	TT.nwins--;
	if (w->ready)
		publish(w, "closed");
	zwlr_foreign_toplevel_handle_v1_destroy(h);
	wm_win_free(w);
	wm_order_save();
}

static void on_parent(void *data, struct zwlr_foreign_toplevel_handle_v1 *h,
	struct zwlr_foreign_toplevel_handle_v1 *parent) { }

static const struct zwlr_foreign_toplevel_handle_v1_listener toplevel_listener = {
	.title = on_title, .app_id = on_app_id, .output_enter = on_output_enter,
	.output_leave = on_output_leave, .state = on_state, .done = on_done,
	.closed = on_closed, .parent = on_parent,
};

static void on_toplevel(void *data, struct zwlr_foreign_toplevel_manager_v1 *m,
	struct zwlr_foreign_toplevel_handle_v1 *h)
{
	struct win *w = xcalloc(1, sizeof(*w));

	w->h = h;
	w->id = ++TT.next_id;
	w->next = TT.wins;
	TT.wins = w;
	TT.nwins++;
	zwlr_foreign_toplevel_handle_v1_add_listener(h, &toplevel_listener, w);
}

static void on_finished(void *data, struct zwlr_foreign_toplevel_manager_v1 *m)
{
	log_error("the compositor stopped reporting windows");
	TT.mgr = NULL;
	zwlr_foreign_toplevel_manager_v1_destroy(m);
}

const struct zwlr_foreign_toplevel_manager_v1_listener wm_manager_listener = {
	.toplevel = on_toplevel, .finished = on_finished,
};

static int by_recency(const void *a, const void *b)
{
	const struct win *x = *(struct win *const *)a, *y = *(struct win *const *)b;

	if (x->seq != y->seq)
		return x->seq > y->seq ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;	/* newer first */
}

/* The ready windows, most recently focused first; *n of them. */
struct win **wm_mru(int *n)
{
	struct win **v = xcalloc((size_t)TT.nwins + 1, sizeof(*v));

	*n = 0;
	for (struct win *w = TT.wins; w; w = w->next)
		if (w->ready)
			v[(*n)++] = w;
	qsort(v, (size_t)*n, sizeof(*v), by_recency);
	return v;
}

/* --- the order across restarts (wm.mru) ------------------------------------ */

void wm_order_open(void)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	TT.mru_fd = -1;
	if (paths_join(path, TT.r.p.runtime, "wm.mru") < 0)
		return;
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600)) < 0) {
		log_warn("wm: cannot open %s (%s): the window order will not outlive this daemon-wm", path,
			strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_mode & 077) {
		log_warn("wm: %s is not a private regular file of ours: the window order will not outlive "
			"this daemon-wm", path);
		close(fd);
		return;
	}
	TT.mru_fd = fd;
}

struct placed {
	struct win *w;
	int key;
};

static int by_key(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

/* The windows there at start in the order the last daemon-wm left: the
 * focused one first, then those it knew by their places, then the rest
 * as they were. */
void wm_order_restore(void)
{
	char text[MRU_FILE_MAX + 1];
	struct mru m;
	struct placed *p;
	struct win **v;
	ssize_t len;
	int n, known = 0;

	TT.mru_ready = 1;
	if (TT.mru_fd < 0)
		return;
	if ((len = pread(TT.mru_fd, text, sizeof(text) - 1, 0)) < 0 || mru_parse(text, (size_t)len, &m) < 0) {
		if (len)
			log_warn("wm: wm.mru is not a window order sesame wrote: starting afresh");
		wm_order_save();
		return;
	}
	v = wm_mru(&n);
	p = xcalloc((size_t)n + 1, sizeof(*p));
	for (int i = 0; i < n; i++) {
		uint8_t d[MRU_DIGEST];
		int r;

		mru_digest(v[i]->app_id, v[i]->title, d);
		r = mru_rank(&m, d);
		known += r >= 0;
		p[i] = (struct placed){ v[i], v[i]->focused ? -1 : r >= 0 ? r : MRU_MAX + i };
	}
	qsort(p, (size_t)n, sizeof(*p), by_key);
	for (int i = 0; i < n; i++)
		p[i].w->seq = (uint64_t)(n - i);
	TT.next_seq = (uint64_t)n;
	log_info("wm: the order of %d of %d windows restored from wm.mru", known, n);
	free(p);
	free(v);
	wm_order_save();
}

void wm_order_save(void)
{
	static char last[MRU_FILE_MAX + 1];
	static size_t last_len;
	static int warned;
	char text[MRU_FILE_MAX + 1];
	struct mru m = { 0 };
	struct win **v;
	size_t len;
	int n;

	if (TT.mru_fd < 0 || !TT.mru_ready)
		return;
	v = wm_mru(&n);
	for (int i = 0; i < n && m.n < MRU_MAX; i++)
		mru_digest(v[i]->app_id, v[i]->title, m.d[m.n++]);
	free(v);
	len = mru_format(&m, text);
	if (len == last_len && !memcmp(text, last, len))
		return;
	if (pwrite(TT.mru_fd, text, len, 0) != (ssize_t)len || ftruncate(TT.mru_fd, (off_t)len) < 0) {
		if (!warned++)
			log_warn("wm: cannot write wm.mru: %s", strerror(errno));
		return;
	}
	memcpy(last, text, len);
	last_len = len;
}
