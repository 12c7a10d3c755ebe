/* libFuzzer target for the audit log verifier: any file content is either
 * intact or broken at a named line; never a crash or an overread. */
#include "lib/audit.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_report r;
	int broken = audit_verify_buf((const char *)data, size, &r);

	if (broken && (r.bad_line < 1 || r.bad_line > r.lines || !r.why[0]))
		abort();
	if (!broken && r.bad_line)
		abort();
	return 0;
}
