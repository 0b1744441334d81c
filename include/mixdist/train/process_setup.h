#pragma once

/// @file
/// @brief Process-wide settings for training and evaluation jobs (denormals, heap trimming).
///
/// Process-wide settings for training and evaluation jobs (the mixdist CLI and the benchmarks call this; the
/// library itself never changes them behind a caller's back):
/// * flush denormals to zero: relaxed samples, sigmoid gradients and Adam's second moments go denormal and
///   slow steps several-fold (docs/performance.md#process-settings);
/// * keep freed memory in the heap instead of returning it to the kernel: with glibc's defaults every
///   temporary of a few MB comes from fresh mmap()ed pages, and the page faults made importance sampling
///   markedly slower (see docs/performance.md#process-settings).
namespace mixdist::train {

/// Flushes denormals to zero and keeps freed memory in the heap (mallopt thresholds), for the whole process.
///
/// Call it once at the start of a training or evaluation program; the library never calls it itself.
///
/// @code
/// int main() { mixdist::train::configure_process_for_training(); /* ... */ }
/// @endcode
void configure_process_for_training();

}  // namespace mixdist::train
