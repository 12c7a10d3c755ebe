/* Unit tests for the JSON reader (lib/core/json.c): what it accepts, and
 * each kind of hostile input it refuses with the byte offset. */
#include "lib/core/json.h"
#include "tap.h"

#include <string.h>

static char err[160];

static struct json *parse(const char *s)
{
	return json_parse(s, strlen(s), err, sizeof(err));
}

/* Refused, with a message naming why. */
static int refused(const char *s, const char *why)
{
	struct json *j = parse(s);

	if (j) {
		json_free(j);
		return 0;
	}
	return strstr(err, why) != NULL;
}

int main(void)
{
	struct json *j = parse("[{\"name\":\"api\",\"fork\":false,\"archived\":true,\"n\":-1.5e2},"
		"{\"name\":\"caf\\u00e9 \\ud83d\\ude00\",\"x\":null}]");
	char deep[200], many[JSON_MAX_MEMBERS * 12 + 16];
	size_t o;

	ok(j && j->type == JSON_ARRAY && j->n == 2, "an array of two objects reads");
	ok(j && !strcmp(json_get_str(j->items[0], "name"), "api") && !json_get_bool(j->items[0], "fork", 1) &&
		json_get_bool(j->items[0], "archived", 0) && json_get(j->items[0], "n")->num == -150,
		"strings, booleans and numbers read as written");
	ok(j && !strcmp(json_get_str(j->items[1], "name"), "caf\xc3\xa9 \xf0\x9f\x98\x80"),
		"\\u escapes and a surrogate pair become UTF-8");
	ok(j && json_get_bool(j->items[1], "x", 7) == 7 && !json_get_str(j->items[1], "x") &&
		!json_get(j->items[1], "missing"), "a null or missing member is neither a string nor a boolean");
	json_free(j);
	j = parse("{\"a\":\"x\\u0000y\"}");
	ok(j && json_get(j, "a")->len == 3 && !json_get_str(j, "a"), "a string holding NUL is kept whole, "
		"and json_get_str will not hand it out as a C string");
	json_free(j);
	ok(refused("{\"fork\":false,\"name\":\"a\",\"fork\":true}", "twice"),
		"an object with one key twice is refused (two readers could each take another)");
	ok(refused("[\"\xc3\x28\"]", "invalid UTF-8") && refused("[\"\xed\xa0\x80\"]", "invalid UTF-8") &&
		refused("[\"\xc0\xaf\"]", "invalid UTF-8"), "invalid, surrogate and overlong UTF-8 are refused");
	ok(refused("[\"\\ud83d\"]", "surrogate") && refused("[\"\\ude00\"]", "surrogate"),
		"lone surrogate escapes are refused");
	ok(refused("[\"a\nb\"]", "control"), "a raw control character in a string is refused");
	ok(refused("[1,]", "") && refused("{\"a\" 1}", "':'") && refused("[01]", "expected") &&
		refused("[1] x", "trailing") && refused("", "end") && refused("[tru]", "unexpected"),
		"grammar errors are refused");
	memset(deep, '[', sizeof(deep));
	deep[sizeof(deep) - 1] = 0;
	ok(refused(deep, "deeply"), "nesting past %d levels is refused", JSON_MAX_DEPTH);
	o = (size_t)snprintf(many, sizeof(many), "{");
	for (int i = 0; i <= JSON_MAX_MEMBERS; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "%s\"k%d\":0", i ? "," : "", i);
	snprintf(many + o, sizeof(many) - o, "}");
	ok(refused(many, "members"), "an object of more than %d members is refused", JSON_MAX_MEMBERS);
	ok(refused("[\"x\" junk", "offset 5"), "the error names the byte offset");
	return done_testing();
}
