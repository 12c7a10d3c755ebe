/* xml.h - a small, total XML reader for exports sesame imports (KeePassXC's
 * XML): elements, their text (entities and character references
 * decoded, CDATA kept), nothing else.  Attributes are read and dropped;
 * comments and processing instructions skipped; a DOCTYPE is refused
 * (no entity of the document's own is ever expanded).  Depth, elements
 * and names are bounded; text must be UTF-8.  Errors give the byte
 * offset (tests/fuzz/import.c). */
#ifndef SESAME_XML_H
#define SESAME_XML_H

#include <stddef.h>

#define XML_MAX_DEPTH 64
#define XML_MAX_NODES (1u << 20)

struct xml {
	char name[64];
	char *text;		/* the element's own text, concatenated; malloc'ed */
	size_t len, tcap;
	struct xml **kids;
	size_t n, cap;
};

/* NULL with a message in err. */
struct xml *xml_parse(const char *s, size_t len, char *err, size_t errlen);
/* The first child called name, or NULL. */
const struct xml *xml_child(const struct xml *x, const char *name);
/* Wipes the texts (they may be passwords) and frees. */
void xml_free(struct xml *x);

#endif
