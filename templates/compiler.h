/* Compiler helpers shared by every datapath header: branch hints and a
 * compile-time assertion, in the manner of Cilium's bpf/include/bpf/compiler.h.
 * Kept apart so that no protocol header depends on another just for these. */
#ifndef POLC_COMPILER_H
#define POLC_COMPILER_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* Makes the compiler forget what it knows of `var`, so that a bound
 * written after it (a mask) stays in the code for the verifier to see
 * (Cilium's barrier_var). */
#define polc_barrier_var(var) asm volatile("" : "+r"(var))

/* Fails the build (not the verifier) when a layout assumption breaks. */
#define polc_build_bug_on(cond) _Static_assert(!(cond), #cond)

#endif /* POLC_COMPILER_H */
