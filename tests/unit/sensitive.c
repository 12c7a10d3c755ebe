/* Unit tests for lib/sensitive: each token format and key block is
 * caught (with blanks around it), and ordinary clipboard text (words,
 * sentences, URLs, paths, UUIDs, numbers, near-misses) is not. */
#include "applets/clipboard/sensitive.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static const char *kind(const char *s)
{
	return sensitive_kind(s, strlen(s));
}

static int is(const char *s, const char *want)
{
	const char *k = kind(s);

	return want ? k && !strcmp(k, want) : !k;
}

int main(void)
{
	static const struct { const char *text, *kind; } cases[] = {
		{ "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5", "github-token" },
		{ "  ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5\n", "github-token" },
		{ "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS", "github-token" },
		{ "AKIAIOSFODNN7EXAMPLE", "aws-access-key" },
		{ "glpat-xxxxxxxxxxxxxxxxxxxx", "gitlab-token" },
		{ "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "slack-token" },
		{ "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-key" },
		{ "npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm-token" },
		{ "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "google-api-key" },
		{ "sk-proj-Abc123Def456Ghi789Jkl012Mno345", "api-key" },
		{ "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt" },
		{ "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n", "private-key" },
		{ "see this:\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n", "private-key" },
		{ "-----BEGIN PGP PRIVATE KEY BLOCK-----\n", "private-key" },
		{ "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ", "private-key" },
		{ "Xk9#mP2$vL7qR4!wZ8nB", "high-entropy" },
		{ "d41d8cd98f00b204e9800998ecf8427e", "high-entropy" },
		{ "tR5uV8wX1yZ4aB7cD0eF3gH6", "high-entropy" },
		{ "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws-secret-key" },
		{ "  je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n", "aws-secret-key" },
		{ "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "labelled-secret" },
		{ "[default]\naws_access_key_id = AKIA\naws_secret_access_key=abc123def456\n", "labelled-secret" },
		{ "password: hunter2", "labelled-secret" },
		{ "Password = hunter2", "labelled-secret" },
		{ "DB_PASSWORD=s3cr3t!", "labelled-secret" },
		{ "export API_KEY=\"abcd1234efgh\"", "labelled-secret" },
		{ "client_secret: 'Zm9vYmFyYmF6'", "labelled-secret" },
		{ "GITHUB_TOKEN=abcdefgh", "labelled-secret" },
		{ "password: see the wiki", NULL },
		{ "Password: ********", NULL },
		{ "token = null", NULL },
		{ "password=$DB_PASSWORD", NULL },
		{ "secret: ${SECRET}", NULL },
		{ "password: (none)", NULL },
		{ "tokens: 42", NULL },
		{ "passwords: yes", NULL },
		{ "pwd: abc", NULL },
		{ "/home/user/projects/sesame/src/lib/core1", NULL },
		{ "abcdefghijklmnopqrstuvwxyzabcdefghijklmn", NULL },
		{ "hello world", NULL },
		{ "", NULL },
		{ "internationalization", NULL },
		{ "The quick brown fox jumps over the lazy dog 12 times", NULL },
		{ "https://example.com/a/b?token=abc123XYZ", NULL },
		{ "/usr/share/doc/sesame/README2.md", NULL },
		{ "123e4567-e89b-12d3-a456-426614174000", NULL },
		{ "12345678901234567890123", NULL },
		{ "ghp_tooShort123", NULL },
		{ "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5 and more words", NULL },
		{ "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", NULL },
		{ "-----BEGIN PUBLIC KEY-----\nPRIVATE KEY\n", NULL },
		{ "aaaaaaaaaaaaaaaaaaaaaaaa1A", NULL },
		{ "sk-short", NULL },
	};
	char nul[] = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";
	/* Ordinary text: every line (and paragraph) of the project's prose,
	 * the init files and Debian's licence texts, as a person would copy
	 * them.  The rate of those called sensitive is reported. */
	static const char *const corpus[] = {
		"README", "HACKING", "init/README", "LICENSE", "/usr/share/common-licenses/GPL-3",
		"/usr/share/common-licenses/Apache-2.0", "/usr/share/common-licenses/MPL-2.0",
	};
	long lines = 0, flagged = 0;
	static char text[1 << 20];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(is(cases[i].text, cases[i].kind), "%s: %.*s", cases[i].kind ? cases[i].kind : "not sensitive",
			(int)strcspn(cases[i].text, "\n"), cases[i].text);
	for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		FILE *f = fopen(corpus[i], "r");
		size_t n, para = 0;

		if (!f)
			continue;
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = 0;
		for (char *line = text, *next; *line; line = next) {
			size_t l = strcspn(line, "\n");
			const char *k;

			next = line + l + (line[l] == '\n');
			if (!l) {	/* a paragraph ends: it is one copy too */
				if (para && ++lines && (k = sensitive_kind(line - 1 - para, para)))
					flagged++, diag("%s: a paragraph called %s", corpus[i], k);
				para = 0;
				continue;
			}
			lines++;
			if ((k = sensitive_kind(line, l)))
				flagged++, diag("%s: called %s: %.*s", corpus[i], k, (int)l, line);
			para = para ? para + l + 1 : l;
		}
	}
	diag("ordinary text: %ld of %ld lines and paragraphs called sensitive (%.3f %%)", flagged, lines,
		lines ? 100.0 * (double)flagged / (double)lines : 0.0);
	ok(lines > 1000 && flagged * 1000 <= lines, "ordinary text is rarely called sensitive (%ld of %ld, at most 0.1 %%)",
		flagged, lines);
	nul[10] = '\0';
	ok(!sensitive_kind(nul, sizeof(nul) - 1), "a NUL inside a token breaks it (length is honoured)");
	ok(is(cases[0].text, "github-token") && strcmp(sensitive_kind(cases[0].text, 39), "github-token"),
		"only len bytes are read (one short is no longer a GitHub token)");
	done_testing();
}
