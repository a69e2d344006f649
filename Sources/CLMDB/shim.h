#ifndef CLMDB_SHIM_H
#define CLMDB_SHIM_H
// The system's LMDB (Debian/Ubuntu: apt-get install liblmdb-dev; macOS: brew install lmdb).
// Only Sources/LMDB imports this module.
#include <lmdb.h>
#endif
