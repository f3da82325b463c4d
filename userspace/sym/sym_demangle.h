/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYM_DEMANGLE_H
#define FAULTLINE_SYM_DEMANGLE_H

/*
 * Demangles C++ (Itanium ABI) and Rust (legacy, with the hash dropped, and
 * v0) names. Returns a heap string the caller frees, or NULL when @name is
 * not mangled or does not demangle.
 */
char *sym_demangle(const char *name);

#endif
