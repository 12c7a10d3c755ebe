/* libFuzzer target for the SSH agent reply parsers and the public key line
 * parser (applets/secrets/sshagent.c): whatever the agent or the file says, a result
 * within bounds or an error, never a crash. */
#include "applets/secrets/sshagent.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ssh_identity ids[8];
	const uint8_t *sig;
	size_t slen;
	int n;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		n = ssh_parse_identities(data + 1, size - 1, ids, 8);
		if (n > 8)
			abort();
		for (int i = 0; i < n; i++)
			if (ids[i].len > SSH_MAX_BLOB || strncmp(ids[i].fp, "SHA256:", 7) ||
			    strlen(ids[i].comment) >= sizeof(ids[i].comment))
				abort();
		break;
	case 1:
		if (ssh_parse_signature(data + 1, size - 1, "ssh-ed25519", &sig, &slen) == 0 &&
		    (sig < data || sig + slen > data + size))
			abort();
		break;
	case 2: {
		char line[4096];
		size_t n2 = size - 1 < sizeof(line) - 1 ? size - 1 : sizeof(line) - 1;
		memcpy(line, data + 1, n2);
		line[n2] = 0;
		if (ssh_pubkey_parse(line, &ids[0]) == 0 && ids[0].len > SSH_MAX_BLOB)
			abort();
		break;
	}
	default: {
		size_t half = (size - 1) / 2;
		ssh_signature_check(data + 1, half, data + 1 + half, size - 1 - half, data, size);
	}
	}
	return 0;
}
