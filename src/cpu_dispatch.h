#pragma once

// MIXDIST_CPU_CLONES compiles a hot element-wise loop for AVX-512, AVX2 and the baseline x86-64 (SSE2), and
// lets the loader pick one for the machine (GCC/Clang target_clones, an ifunc). Debian builds for the
// baseline, where a float loop runs four lanes at a time; the clones run eight or sixteen. The loop must
// vectorise at all: no calls that may set errno (the library builds with -fno-math-errno) and __restrict__
// pointers so the compiler need not guard against aliasing.

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && defined(__ELF__)
#define MIXDIST_CPU_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MIXDIST_CPU_CLONES
#endif
