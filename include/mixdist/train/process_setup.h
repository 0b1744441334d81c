#pragma once

// Process-wide settings for training and evaluation jobs (the mixdist CLI and the benchmarks call this; the
// library itself never changes them behind a caller's back):
// * flush denormals to zero: relaxed samples, sigmoid gradients and Adam's second moments go denormal and
//   slow steps several-fold (docs/performance.md#process-settings);
// * keep freed memory in the heap instead of returning it to the kernel: with glibc's defaults every
//   temporary of a few MB comes from fresh mmap()ed pages, and the page faults made a 100-sample importance
//   sampling pass 1.9x slower (measured: 338 vs 178 ms per 100 images, Gaussian VAE, 2 threads).
namespace mixdist::train {

void configure_process_for_training();

}  // namespace mixdist::train
