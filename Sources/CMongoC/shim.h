// The MongoDB C driver (libmongoc) and libbson, as one Swift module.
// Found through `pkg-config libmongoc-1.0` (Debian: libmongoc-dev).
#ifndef BOXOFFICE_CMONGOC_SHIM_H
#define BOXOFFICE_CMONGOC_SHIM_H

#include <mongoc/mongoc.h>

// libbson declares bson_t and bson_iter_t 128-byte aligned, which Swift cannot import as structs (it
// sees them as opaque pointers). Swift allocates storage for them itself, so it needs their sizes.
static inline size_t boxoffice_bson_size(void) { return sizeof(bson_t); }
static inline size_t boxoffice_bson_iter_size(void) { return sizeof(bson_iter_t); }

#endif
