#pragma once

// OpenBLAS picks its compute kernels ("core") once, when it is loaded. Debian 12's OpenBLAS 0.3.21 does not
// know AMD Zen 4 and runs its AVX2 (Haswell) kernels there although the CPU has AVX-512; OpenBLAS 0.3.22 and
// later choose the SkylakeX (AVX-512) kernels on Zen 4. On the 2-core Zen 4 build machine the VAE's matrix
// products (batch 100, 784 -> 500 -> 500) run 1.6x faster with them (5.25 -> 3.27 ms per forward + backward).
// OpenBLAS honours the OPENBLAS_CORETYPE environment variable at load time only, so a program that wants
// the better kernels re-executes itself with the variable set, first thing in main().

#include <string>

namespace mixdist::platform {

// The core the loaded OpenBLAS runs ("Haswell", "SkylakeX", ...), or "" when the process has no OpenBLAS.
std::string openblas_core();

// The core to ask for, given the detected one and the CPU's AVX-512 support (F, CD, BW, DQ and VL, what the
// SkylakeX kernels use): "SkylakeX" when an AVX-512 CPU was given AVX2-or-older kernels, otherwise "".
std::string preferred_openblas_core(const std::string& detected, bool cpu_has_avx512);

// Whether this CPU has the AVX-512 subsets above.
bool cpu_has_avx512();

// Call first in main(). When OPENBLAS_CORETYPE is unset and preferred_openblas_core() names a better core,
// sets the variable and re-executes the program (/proc/self/exe) with the same arguments; returns only when
// nothing was done or the re-execution failed. A user's own OPENBLAS_CORETYPE always wins.
void reexec_with_preferred_openblas_core(char** argv);

}  // namespace mixdist::platform
