/* sshagent.h - the client side of the SSH agent protocol
 * (draft-miller-ssh-agent): list the agent's keys and ask it to sign.
 * Only what the SSH unlock factor needs: REQUEST_IDENTITIES and
 * SIGN_REQUEST, Ed25519 and RSA (signing with rsa-sha2-512).  ECDSA and
 * others are refused: their signatures are not deterministic, so no key
 * can be derived from them.
 *
 * The agent is distrusted like any peer: every length is checked, replies
 * are bounded (SSH_AGENT_MAX_MSG), a silent agent times out.
 */
#ifndef SESAME_SSHAGENT_H
#define SESAME_SSHAGENT_H

#include <stddef.h>
#include <stdint.h>

#define SSH_AGENT_MAX_MSG (256 * 1024)
#define SSH_MAX_BLOB 2048
#define SSH_MAX_IDS 64

struct ssh_identity {
	uint8_t blob[SSH_MAX_BLOB];	/* public key, SSH wire format */
	size_t len;
	char type[32];			/* "ssh-ed25519", "ssh-rsa", ... */
	char comment[128];
	char fp[64];			/* "SHA256:..." */
};

/* Connect to $SSH_AUTH_SOCK; -1 with a reason. */
int ssh_agent_connect(void);
/* The agent's keys (at most max); their number or -1 with a reason. */
int ssh_agent_identities(int fd, struct ssh_identity *ids, size_t max);
/* The agent's signature of data with key id, as the agent returns it
 * (string algorithm, string signature); in secure memory, secmem_free it.
 * NULL with a reason ("the agent refused", ...). */
uint8_t *ssh_agent_sign(int fd, const struct ssh_identity *id, const uint8_t *data, size_t dlen,
	size_t *siglen);

/* Can this key be an unlock factor (Ed25519 or RSA)? */
int ssh_key_eligible(const struct ssh_identity *id);
/* Fill type and fp from blob/len; -1 if the blob is malformed. */
int ssh_identity_describe(struct ssh_identity *id);
/* "ssh-ed25519 AAAA... comment" (an OpenSSH .pub line) into id; -1 with a reason. */
int ssh_pubkey_parse(const char *line, struct ssh_identity *id);
/* Check an Ed25519 signature blob against key blob (libsodium); RSA is
 * not checked here (0 for "cannot tell").  1 valid, -1 invalid. */
int ssh_signature_check(const uint8_t *key, size_t klen, const uint8_t *sig, size_t slen,
	const uint8_t *data, size_t dlen);

/* The reply parsers, exposed for the fuzz target. */
int ssh_parse_identities(const uint8_t *msg, size_t len, struct ssh_identity *ids, size_t max);
int ssh_parse_signature(const uint8_t *msg, size_t len, const char *want_alg, const uint8_t **sig,
	size_t *slen);

#endif
