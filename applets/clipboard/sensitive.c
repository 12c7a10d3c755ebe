/* sensitive.c - secret-looking clipboard text (sensitive.h). */
#include "applets/clipboard/sensitive.h"
#include "lib/core/num.h"

#include <string.h>
#include <strings.h>

enum cs { UPPER_DIGIT, ALNUM, ALNUM_US, B64URL, SLACK };

static const struct token {
	const char *prefix;
	enum cs cs;
	size_t min, max;	/* bytes after the prefix */
	const char *kind;
} tokens[] = {
	{ "AKIA", UPPER_DIGIT, 16, 16, "aws-access-key" },
	{ "ASIA", UPPER_DIGIT, 16, 16, "aws-access-key" },
	{ "ghp_", ALNUM, 36, 36, "github-token" },
	{ "gho_", ALNUM, 36, 36, "github-token" },
	{ "ghu_", ALNUM, 36, 36, "github-token" },
	{ "ghs_", ALNUM, 36, 36, "github-token" },
	{ "ghr_", ALNUM, 36, 36, "github-token" },
	{ "github_pat_", ALNUM_US, 22, 255, "github-token" },
	{ "glpat-", B64URL, 20, 64, "gitlab-token" },
	{ "xoxb-", SLACK, 10, 255, "slack-token" },
	{ "xoxp-", SLACK, 10, 255, "slack-token" },
	{ "xoxa-", SLACK, 10, 255, "slack-token" },
	{ "xoxe-", SLACK, 10, 255, "slack-token" },
	{ "xoxr-", SLACK, 10, 255, "slack-token" },
	{ "xoxs-", SLACK, 10, 255, "slack-token" },
	{ "sk_live_", ALNUM, 16, 255, "stripe-key" },
	{ "rk_live_", ALNUM, 16, 255, "stripe-key" },
	{ "sk_test_", ALNUM, 16, 255, "stripe-key" },
	{ "npm_", ALNUM, 36, 36, "npm-token" },
	{ "AIza", B64URL, 35, 35, "google-api-key" },
	{ "sk-", B64URL, 20, 255, "api-key" },
	{ "AGE-SECRET-KEY-1", UPPER_DIGIT, 50, 80, "private-key" },
};

static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(int c) { return c >= 'a' && c <= 'z'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alnum(int c) { return is_upper(c) || is_lower(c) || is_digit(c); }
static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static int in_set(enum cs cs, int c)
{
	switch (cs) {
	case UPPER_DIGIT: return is_upper(c) || is_digit(c);
	case ALNUM: return is_alnum(c);
	case ALNUM_US: return is_alnum(c) || c == '_';
	case B64URL: return is_alnum(c) || c == '_' || c == '-';
	case SLACK: return is_alnum(c) || c == '-';
	}
	return 0;
}

/* The length of the run of cs characters at s (at most n). */
static size_t run(enum cs cs, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && in_set(cs, (unsigned char)s[i]))
		i++;
	return i;
}

static const void *find(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; k <= n && i <= n - k; i++)
		if (s[i] == needle[0] && !memcmp(s + i, needle, k))
			return s + i;
	return NULL;
}

/* "-----BEGIN <anything> PRIVATE KEY[ BLOCK]-----" on one line. */
static int private_key_block(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while ((p = find(p, (size_t)(end - p), "-----BEGIN "))) {
		const char *h = p + 11, *close = find(h, (size_t)(end - h), "-----");
		const char *nl = memchr(h, '\n', (size_t)(end - h));

		if (close && (!nl || close < nl) && find(h, (size_t)(close - h), "PRIVATE KEY"))
			return 1;
		p = h;
	}
	return 0;
}

/* header.payload.signature, each base64url, the first two JSON ("eyJ"). */
static int jwt(const char *s, size_t n)
{
	size_t a, b, c;

	if (n < 20 || memcmp(s, "eyJ", 3))
		return 0;
	a = run(B64URL, s, n);
	if (a < 10 || a >= n || s[a] != '.' || a + 4 > n || memcmp(s + a + 1, "eyJ", 3))
		return 0;
	b = run(B64URL, s + a + 1, n - a - 1);
	if (a + 1 + b >= n || s[a + 1 + b] != '.')
		return 0;
	c = run(B64URL, s + a + b + 2, n - a - b - 2);
	return a + b + c + 2 == n;
}

static int uuid(const char *s, size_t n)
{
	if (n != 36)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!is_digit(c) && !((c | 0x20) >= 'a' && (c | 0x20) <= 'f')) {
			return 0;
		}
	}
	return 1;
}

/* Shannon entropy of s, in bits per byte. */
static double entropy(const char *s, size_t n)
{
	unsigned counts[256] = { 0 };
	double h = 0;

	for (size_t i = 0; i < n; i++)
		counts[(unsigned char)s[i]]++;
	for (int c = 0; c < 256; c++)
		if (counts[c]) {
			double p = (double)counts[c] / (double)n;

			h -= p * num_log2(p);
		}
	return h;
}

/* An AWS secret access key: 40 bytes of base64 (A-Z a-z 0-9 / +), all
 * three of upper, lower and digit, at most a few '/' and none leading or
 * doubled (a path is not one), entropy of 4.2 bits per byte or more. */
static int aws_secret(const char *s, size_t n)
{
	int upper = 0, lower = 0, digit = 0, slashes = 0;

	if (n != 40 || s[0] == '/' || find(s, n, "//"))
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (!is_alnum(c) && c != '/' && c != '+')
			return 0;
		upper |= is_upper(c), lower |= is_lower(c), digit |= is_digit(c);
		slashes += c == '/';
	}
	return upper && lower && digit && slashes <= 4 && entropy(s, n) >= 4.2;
}

/* A line "LABEL: VALUE" or "LABEL=VALUE" whose label names a secret
 * (password, secret, token, api key, ...; any case, with a prefix such
 * as DB_ or aws_) and whose value is one word of 4 bytes or more that is
 * not a placeholder.  Prose ("password: see the wiki") has more words. */
static int labelled_line(const char *s, size_t n)
{
	static const char *const labels[] = {
		"password", "passwd", "passphrase", "pwd", "secret", "token", "apikey", "api_key", "api-key",
		"secret_access_key", "private_key", "client_secret", "access_token", "auth_token",
	};
	static const char *const placeholders[] = {
		"null", "none", "true", "false", "nil", "undefined", "changeme", "xxxx", "****", "<redacted>",
		"redacted", "required", "optional", "example",
	};
	size_t l = 0, v, vl, r;

	if (n > 7 && !memcmp(s, "export ", 7))	/* a shell line */
		s += 7, n -= 7;
	while (l < n && (is_alnum((unsigned char)s[l]) || s[l] == '_' || s[l] == '-' || s[l] == '.'))
		l++;
	if (!l || l > 64)
		return 0;
	v = l;
	while (v < n && (s[v] == ' ' || s[v] == '\t'))
		v++;
	if (v == n || (s[v] != ':' && s[v] != '='))
		return 0;
	v++;
	while (v < n && (s[v] == ' ' || s[v] == '\t'))
		v++;
	if (v < n && (s[v] == '"' || s[v] == '\'') && n - v >= 2 && s[n - 1] == s[v])
		v++, n--;	/* a quoted value */
	vl = n - v;
	if (vl < 4 || vl > 256)
		return 0;
	for (size_t i = v; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;	/* one word, ASCII */
	for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
		if (vl == strlen(placeholders[i]) && !strncasecmp(s + v, placeholders[i], vl))
			return 0;
	if (s[v] == '$' || s[v] == '<' || s[v] == '{' || s[v] == '%' || s[v] == '(' || s[v] == '[')
		return 0;	/* a variable, a template or a remark, not the value */
	for (r = v + 1; r < n && s[r] == s[v]; r++)
		;
	if (r == n)
		return 0;	/* "********": a mask */
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		size_t k = strlen(labels[i]);

		/* The label ends with it, after nothing or a separator. */
		if (l >= k && !strncasecmp(s + l - k, labels[i], k) &&
		    (l == k || s[l - k - 1] == '_' || s[l - k - 1] == '-' || s[l - k - 1] == '.'))
			return 1;
	}
	return 0;
}

/* Any line of the text a labelled secret. */
static int labelled(const char *s, size_t n)
{
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) : n, b = 0;

		while (b < k && (s[b] == ' ' || s[b] == '\t'))
			b++;
		while (k > b && (s[k - 1] == '\r' || s[k - 1] == ' '))
			k--;
		if (k > b && labelled_line(s + b, k - b))
			return 1;
		if (!nl)
			break;
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	return 0;
}

static int high_entropy(const char *s, size_t n)
{
	int upper = 0, lower = 0, digit = 0, other = 0, hex = 1;

	if (n < 20 || n > 512 || find(s, n, "://") || memchr(s, '/', n) || uuid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f)
			return 0;	/* blanks, controls, non-ASCII: text, not a key */
		upper |= is_upper(c), lower |= is_lower(c), digit |= is_digit(c);
		other |= !is_alnum(c);
		hex &= is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
	}
	if (!digit || !(upper || lower))
		return 0;
	if (!(hex && n >= 32) && upper + lower + digit + other < 3)
		return 0;
	return entropy(s, n) >= (hex ? 3.0 : 3.5);	/* hex tops out at 4 bits */
}

const char *sensitive_kind(const char *text, size_t len)
{
	const char *s = text;
	size_t n = len;

	if (private_key_block(s, n))
		return "private-key";
	while (n && is_blank((unsigned char)s[0]))
		s++, n--;
	while (n && is_blank((unsigned char)s[n - 1]))
		n--;
	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
		const struct token *t = &tokens[i];
		size_t k = strlen(t->prefix), r;

		if (n < k || memcmp(s, t->prefix, k))
			continue;
		r = run(t->cs, s + k, n - k);
		if (k + r == n && r >= t->min && r <= t->max)
			return t->kind;
	}
	if (jwt(s, n))
		return "jwt";
	if (aws_secret(s, n))
		return "aws-secret-key";
	if (labelled(s, n))
		return "labelled-secret";
	if (high_entropy(s, n))
		return "high-entropy";
	return NULL;
}
