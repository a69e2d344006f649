#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
// The system's zlib (Debian/Ubuntu: apt-get install zlib1g-dev; macOS: part of the SDK).
// Only Sources/Cashews/Values/ValueCompression.swift imports this module.
#include <zlib.h>
#endif
