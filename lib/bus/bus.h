/* bus.h - the client side of the bus: connect to daemon-profile's
 * bus.sock, run the Noise IK handshake against bus.pub, then exchange
 * messages (wire.h) with deadlines.  Used by every CLI command and by
 * every role that is not the hub.
 *
 * A client without a key file gets a fresh static key per connection and
 * the CLI clearance; a role presents keys/<role>.key, which daemon-profile
 * generated and registered.
 */
#ifndef SESAME_BUS_H
#define SESAME_BUS_H

#include "lib/bus/noise.h"
#include "lib/bus/wire.h"
#include "lib/core/paths.h"

#define BUS_CLI_TIMEOUT_MS 5000

struct bus_client;

/* Connect and handshake within timeout_ms.  key_file: a role's private
 * key, or NULL for an anonymous (CLI) client.  NULL with a reason; then
 * last_code() says ERR_UNREACHABLE, ERR_TIMEOUT or ERR_FAILED (util.h). */
struct bus_client *bus_connect(const struct paths *p, const char *key_file, int timeout_ms);
/* For daemons: retry with exponential backoff (50 ms doubling to 2 s)
 * until connected or give_up_ms passed (0: forever). */
struct bus_client *bus_connect_retry(const struct paths *p, const char *key_file, int give_up_ms);
void bus_close(struct bus_client *c);
int bus_fd(const struct bus_client *c);

/* Send a message (the id in it is used as is). */
int bus_send(struct bus_client *c, struct wire_out *msg);
/* Receive one message into buf (WIRE_MAX_MESSAGE bytes) within
 * timeout_ms; m points into buf.  The caller wipes buf if it held a secret. */
int bus_recv(struct bus_client *c, uint8_t *buf, struct wire_msg *m, int timeout_ms);
/* Send a request (its id is assigned here) and wait for its reply; an
 * error reply is turned into -1 with its text as the reason and its kind
 * (wire_error_code) as last_code(). */
int bus_request(struct bus_client *c, struct wire_out *req, uint8_t *buf, struct wire_msg *reply,
	int timeout_ms);
/* Several requests at once, one round trip (on a connection not yet used,
 * requests that may all go 0-RTT ride together in message 1, as a
 * WIRE_BATCH): reply i into bufs[i] (each WIRE_MAX_MESSAGE bytes) and
 * replies[i]; an error reply is a reply of type WIRE_ERROR.  -1 only if
 * the bus failed. */
int bus_pipeline(struct bus_client *c, struct wire_out **reqs, uint8_t **bufs, struct wire_msg *replies,
	int n, int timeout_ms);

/* For CLI commands: connect anonymously, or make a request, or die with
 * "sesame: ..." and the exit code the failure maps to (69, 75, 77, 1). */
struct bus_client *xbus_connect(const struct paths *p);
void xbus_request(struct bus_client *c, struct wire_out *req, uint8_t *buf, struct wire_msg *reply);

/* Seal msg into a frame (length + Noise transport message); out must hold
 * 4 + WIRE_MAX_FRAME bytes.  Shared with the hub. */
int bus_seal(struct noise_cipherstate *cs, const uint8_t *msg, size_t len, uint8_t *out, size_t *outlen);

/* Read a 32-byte key file that must be private (owner only); -1 with a
 * reason. */
int bus_read_key(const char *path, uint8_t key[32]);
/* Write a 32-byte key atomically with the given mode. */
int bus_write_key(const char *path, const uint8_t key[32], int mode);

#endif
