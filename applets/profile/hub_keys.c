/* hub_keys.c - the hub's keys: the server's, each role's and the CLI's,
 * made at start and on WIRE_ROTATE_KEYS, and the next handshake's
 * ephemeral key pair, made ahead by a thread of idle priority. */
#include "applets/profile/hub_int.h"
#include "lib/bus/bus.h"
#include "lib/core/log.h"
#include "lib/core/secmem.h"
#include "lib/core/util.h"

#include <pthread.h>
#include <sched.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The next handshake's ephemeral key pair is made ahead by a thread of
 * idle priority (SCHED_IDLE), which runs only on a CPU that nothing else
 * wants: the scalar multiplication (~30 us) is then off the path of
 * anyone waiting, the hub's clients and every other process.  Made in the
 * event loop between requests, it delayed whatever was to run next on
 * that CPU (often the shell a command had just answered).  Started after
 * the sandbox is entered, so that the thread is confined like the rest
 * (Landlock binds the threads created after it only).  Without it, or
 * when it has not caught up, a handshake makes its own key. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *pair;		/* secure memory: [0..31] private, [32..63] public */
	int ready, stop, running;
	pthread_t thread;
} ahead = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void *ahead_main(void *arg)
{
	uint8_t *pair = arg;	/* secure memory, 64 bytes: made outside the lock */

	pthread_mutex_lock(&ahead.mu);
	while (!ahead.stop) {
		if (ahead.ready) {
			pthread_cond_wait(&ahead.cv, &ahead.mu);
			continue;
		}
		pthread_mutex_unlock(&ahead.mu);
		noise_keypair(pair, pair + 32);
		pthread_mutex_lock(&ahead.mu);
		memcpy(ahead.pair, pair, 64);
		sodium_memzero(pair, 64);
		ahead.ready = 1;
	}
	pthread_mutex_unlock(&ahead.mu);
	secmem_free(pair);
	return NULL;
}


/* The thread is set to SCHED_IDLE by this thread before it does anything:
 * it waits for the lock held here meanwhile.  (pthread_attr_setschedpolicy
 * would do it at creation, but glibc's takes only OTHER, FIFO and RR.) */
void hub_ahead_start(void)
{
	struct sched_param sp = { 0 };
	uint8_t *pair = secmem_alloc(64);
	int r;

	if (!pair || !(ahead.pair = secmem_alloc(64))) {
		secmem_free(pair);
		log_warn("no key thread: %s", last_error());
		return;
	}
	pthread_mutex_lock(&ahead.mu);
	if ((r = pthread_create(&ahead.thread, NULL, ahead_main, pair)) != 0) {
		pthread_mutex_unlock(&ahead.mu);
		secmem_free(pair);
		secmem_free(ahead.pair);
		ahead.pair = NULL;
		log_warn("no key thread (%s): each handshake makes its own key", strerror(r));
		return;
	}
	ahead.running = 1;
	r = pthread_setschedparam(ahead.thread, SCHED_IDLE, &sp);
	pthread_mutex_unlock(&ahead.mu);
	if (r != 0) {
		hub_ahead_stop();
		log_warn("no key thread (idle priority: %s): each handshake makes its own key", strerror(r));
	}
}

void hub_ahead_stop(void)
{
	if (!ahead.running)
		return;
	pthread_mutex_lock(&ahead.mu);
	ahead.stop = 1;
	pthread_cond_signal(&ahead.cv);
	pthread_mutex_unlock(&ahead.mu);
	pthread_join(ahead.thread, NULL);
	secmem_free(ahead.pair);	/* wipes */
	ahead.pair = NULL;
	ahead.running = ahead.ready = 0;
}

/* Move a ready key pair into pair and ask for the next; 0 if none is. */
static int ahead_take(uint8_t pair[64])
{
	int got;

	if (!ahead.running)
		return 0;
	pthread_mutex_lock(&ahead.mu);
	if ((got = ahead.ready)) {
		memcpy(pair, ahead.pair, 64);
		sodium_memzero(ahead.pair, 64);
		ahead.ready = 0;
		pthread_cond_signal(&ahead.cv);
	}
	pthread_mutex_unlock(&ahead.mu);
	return got;
}

/* The responder's handshake state for the pattern the client named,
 * with the ephemeral key computed while idle. */
struct noise_handshake *hub_responder(struct hub *h, uint8_t pattern)
{
	struct noise_protocol proto;
	struct noise_handshake *hs;

	if (pattern != WIRE_HS_IK && pattern != WIRE_HS_CLI)
		return fail("unknown handshake %u", pattern), NULL;
	if (noise_protocol_parse(pattern == WIRE_HS_IK ? WIRE_NOISE_IK : WIRE_NOISE_CLI, &proto) < 0 ||
	    !(hs = noise_handshake_new(&proto, 0, (const uint8_t *)WIRE_PROLOGUE, strlen(WIRE_PROLOGUE))))
		return NULL;
	if (pattern == WIRE_HS_IK)
		noise_set_static(hs, h->server_priv, h->server_pub);
	else
		noise_add_psk(hs, h->cli_psk);
	if (ahead_take(h->plain)) {
		noise_set_ephemeral(hs, h->plain, h->plain + 32);
		sodium_memzero(h->plain, 64);
	}
	return hs;
}

/* New keys: the server's (it lives only in this process, its public half
 * in bus.pub), each role's (written for the roles to read), the CLI's
 * pre-shared key.  At every start, and on WIRE_ROTATE_KEYS.  The old ones
 * are refused from then on: connections made with them keep their
 * sessions until they end. */
int hub_new_keys(struct hub *h)
{
	char dir[PATH_MAX], path[PATH_MAX];
	uint8_t pub[32], *priv;

	if (paths_join(dir, h->paths->runtime, "keys") < 0 || paths_mkdir_private(dir) < 0)
		return -1;
	if ((!h->server_priv && !(h->server_priv = secmem_alloc(32))) || !(priv = secmem_alloc(32)) ||
	    (!h->cli_psk && !(h->cli_psk = secmem_alloc(32))))
		return -1;
	for (int i = WR_SECRETS; i < WR_COUNT; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s.key", wire_role_name(i));
		noise_keypair(priv, h->role_pub[i]);
		if (paths_join(path, dir, name) < 0 || bus_write_key(path, priv, 0600) < 0) {
			secmem_free(priv);
			return -1;
		}
	}
	/* The server's last, once the role keys are in place. */
	noise_keypair(priv, pub);
	randombytes_buf(h->cli_psk, 32);
	if (paths_join(path, h->paths->runtime, "cli.psk") < 0 || bus_write_key(path, h->cli_psk, 0600) < 0) {
		secmem_free(priv);
		return -1;
	}
	memcpy(h->server_priv, priv, 32);
	memcpy(h->server_pub, pub, 32);
	secmem_free(priv);
	/* bus.pub last: at start, its presence says the hub is ready. */
	return bus_write_key(h->pub_path, pub, 0644);
}


/* WIRE_ROTATE_KEYS: new keys, then each connected role is told to come
 * back with its new one (the original's sesame status --rotate-keys). */
void hub_rotate_keys(struct hub *h, int slot, const struct wire_msg *m)
{
	static struct wire_out o, rk;

	if (hub_new_keys(h) < 0) {
		hub_send_error(h, slot, m->id, WIRE_E_FAILED, last_error());
		return;
	}
	wire_begin(&o, m->type, WIRE_F_REPLY, m->id);
	wire_begin(&rk, WIRE_REKEY, 0, 0);
	for (int i = WR_SECRETS; i < WR_COUNT; i++) {
		int rs;

		if (!hub_lookup(h, h->role_conn[i], &rs))
			continue;
		wire_put_str(&o, WF_ROLE, wire_role_name(i));
		hub_send(h, rs, rk.buf, rk.len);
	}
	log_info("keys rotated: the hub's, the CLI's and every role's");
	if (wire_end(&o) == 0)
		hub_send(h, slot, o.buf, o.len);
}
