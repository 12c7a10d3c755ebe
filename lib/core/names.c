/* names.c - see names.h. */
#include "lib/core/names.h"
#include "lib/core/util.h"

#include <string.h>

int profile_name_valid(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > PROFILE_MAX || !((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z') ||
	    (p[0] >= '0' && p[0] <= '9')))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int secret_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SECRET_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return 0;
	return 1;
}

int secret_name_new_valid(const char *name)
{
	const unsigned char *u = (const unsigned char *)name;

	if (!secret_name_valid(name) || !utf8_valid(name, strlen(name)))
		return 0;
	for (; *u; u++) {
		if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
			return 0;	/* C1 controls, U+0080 to U+009F */
		/* Bidirectional controls show the letters in another order than
		 * they are stored: U+202A-202E (E2 80 AA-AE), U+2066-2069 (E2 81
		 * A6-A9), and the marks U+200E-200F (E2 80 8E-8F), U+061C (D8 9C). */
		if (u[0] == 0xe2 && u[1] == 0x80 && ((u[2] >= 0xaa && u[2] <= 0xae) || u[2] == 0x8e || u[2] == 0x8f))
			return 0;
		if (u[0] == 0xe2 && u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9)
			return 0;
		if (u[0] == 0xd8 && u[1] == 0x9c)
			return 0;
	}
	return 1;
}
