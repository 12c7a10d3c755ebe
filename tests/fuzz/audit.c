/* libFuzzer target for the audit log verifier: any file content is either
 * intact or broken at a named line; never a crash or an overread.  The
 * first byte chooses between a file on its own and one that must go on
 * from a previous file's last line (a rotated log). */
#include "lib/store/audit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prev[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct audit_report r;
	int chained, broken;

	if (size < 1)
		return 0;
	chained = data[0] & 1;
	broken = audit_verify_buf((const char *)data + 1, size - 1, chained ? prev : NULL, 41, &r);
	if (broken && (r.bad_line < 1 || r.bad_line > r.lines || !r.why[0]))
		abort();
	if (!broken && r.bad_line)
		abort();
	if (!broken && r.lines && (strlen(r.last_hash) != 64 || r.last_seq < r.first_seq ||
	    r.last_seq - r.first_seq + 1 != (unsigned long long)r.lines))
		abort();
	if (r.rotated && chained)
		abort();
	return 0;
}
