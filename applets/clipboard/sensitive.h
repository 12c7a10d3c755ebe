/* sensitive.h - does a clipboard text look like a secret?
 *
 * Three kinds of evidence, checked in order:
 *   - a private key block ("-----BEGIN ... PRIVATE KEY-----", PGP
 *     private key blocks, age secret keys);
 *   - a well-known token format, the whole text being one token
 *     (surrounding blanks ignored): AWS access key ids, GitHub, GitLab,
 *     Slack, Stripe, npm, Google API keys, OpenAI/Anthropic-style "sk-"
 *     keys, JSON Web Tokens;
 *   - an AWS secret access key: 40 bytes of base64, upper, lower and
 *     digits, no leading or doubled '/', 4.2 bits per byte or more;
 *   - a labelled secret: a line "LABEL: VALUE" or "LABEL=VALUE" whose
 *     label ends in password, passwd, passphrase, pwd, secret, token,
 *     api key, secret_access_key, private_key, client_secret... and whose
 *     value is one word of 4 bytes or more, not a placeholder (null,
 *     changeme, ****...) nor a variable ($X, ${X}, <X>, %X%);
 *   - a high-entropy string: one token of 20 to 512 bytes, no "://", no
 *     '/', letters and digits both present, at least three character
 *     classes (or hex of 32 or more), Shannon entropy of 3.5 bits per
 *     byte or more (3.0 for hex); canonical UUIDs are exempt.
 * A word, a sentence, a URL, a path or a UUID is not sensitive.
 */
#ifndef SESAME_SENSITIVE_H
#define SESAME_SENSITIVE_H

#include <stddef.h>

/* The kind of secret text looks like ("private-key", "github-token",
 * "high-entropy", ...), or NULL. */
const char *sensitive_kind(const char *text, size_t len);

#endif
