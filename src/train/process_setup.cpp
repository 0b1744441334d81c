#include "mixdist/train/process_setup.h"

#include <ATen/Context.h>
#include <malloc.h>

namespace mixdist::train {

void configure_process_for_training() {
  at::globalContext().setFlushDenormal(true);
  // Fixed thresholds also switch off glibc's dynamic mmap threshold, whose state depended on what had been
  // freed before (the same benchmark's step time then depended on the benchmarks run before it;
  // docs/performance.md#process-settings).
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace mixdist::train
