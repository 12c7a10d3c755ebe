/* toml-decode - the toml-test decoder interface for lib/toml: a TOML
 * document on stdin, its tagged JSON on stdout ({"type":"integer",
 * "value":"1"} for every leaf, objects and arrays as they are); on invalid
 * input the reason on stderr and exit 1. */
#include "lib/cli/cli.h"
#include "lib/config/toml.h"
#include "lib/core/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INPUT (64u << 20)

/* The shortest text that reads back as the same double. */
static void put_float(double f)
{
	char s[40];
	int prec;

	if (isnan(f)) {
		printf("\"nan\"");
		return;
	}
	if (isinf(f)) {
		printf(f < 0 ? "\"-inf\"" : "\"inf\"");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, f);
		if (strtod(s, NULL) == f)
			break;
	}
	printf("\"%s\"", s);
}

static void put(const struct toml_value *v)
{
	size_t i;

	switch (v->type) {
	case TOML_TABLE:
		putchar('{');
		for (i = 0; i < v->tab.n; i++) {
			if (i)
				putchar(',');
			cli_json_str(stdout, v->tab.kv[i].key, v->tab.kv[i].len);
			putchar(':');
			put(v->tab.kv[i].val);
		}
		putchar('}');
		return;
	case TOML_ARRAY:
		putchar('[');
		for (i = 0; i < v->arr.n; i++) {
			if (i)
				putchar(',');
			put(v->arr.v[i]);
		}
		putchar(']');
		return;
	default:
		break;
	}
	printf("{\"type\":\"%s\",\"value\":", toml_type_name(v->type));
	switch (v->type) {
	case TOML_INTEGER:
		printf("\"%lld\"", (long long)v->i);
		break;
	case TOML_FLOAT:
		put_float(v->f);
		break;
	case TOML_BOOL:
		printf(v->b ? "\"true\"" : "\"false\"");
		break;
	default:
		cli_json_str(stdout, v->str.s, v->str.len);
		break;
	}
	putchar('}');
}

int main(int argc, char **argv)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = xmalloc(cap);
	struct toml_value *root;
	ssize_t r;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: toml-decode <FILE.toml\n");
		return 2;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= MAX_INPUT) {
				fprintf(stderr, "toml-decode: input larger than %u bytes\n", MAX_INPUT);
				return 1;
			}
			buf = xreallocarray(buf, cap *= 2, 1);
		}
		r = read(0, buf + len, cap - len);
		if (r < 0) {
			perror("toml-decode: stdin");
			return 1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (!(root = toml_parse(buf, len, "stdin"))) {
		fprintf(stderr, "%s\n", last_error());
		return 1;
	}
	put(root);
	putchar('\n');
	toml_free(root);
	free(buf);
	return fflush(stdout) ? 1 : 0;
}
