#pragma once

/// @file
/// @brief Sums the gradients of all ranks in a few large flat buffers (buckets), one all-reduce each.
///
/// A model of tens of parameter tensors would cost tens of all-reduces per step, each paying the network's
/// latency (and Gloo's per-call overhead) once; copying the gradients into a few flat buffers of up to
/// GradientAllReducerOptions::bucket_bytes first (as PyTorch's DistributedDataParallel does, 25 MiB by
/// default) pays it a few times. The reduction runs after the whole backward pass, not overlapped with it:
/// LibTorch's C++ frontend has no DDP, and its autograd hooks fire on the thread of the backward pass, so
/// overlap would need our own engine-level scheduling; the benchmark (bench_distributed) measures what the
/// all-reduce costs per step, and the cost model in docs/distributed.md says when that matters.

#include <ATen/ATen.h>
#include <torch/arg.h>

#include <cstdint>
#include <vector>

#include "mixdist/distributed/process_group.h"

namespace mixdist::distributed {

/// How GradientAllReducer cuts the gradients into buckets.
struct GradientAllReducerOptions {
  /// The most bytes of one bucket (a parameter larger than this gets a bucket of its own); >= 1.
  TORCH_ARG(int64_t, bucket_bytes) = int64_t{25} << 20;
};

/// Replaces every rank's gradients by their weighted sum over the ranks, bucket by bucket.
///
/// A parameter whose gradient is undefined on every rank (not used this step) keeps it undefined, so that
/// optimisers skip it as in a single-process run; one defined on some ranks only is summed with zeros for the
/// others.
///
/// @code
/// mixdist::distributed::GradientAllReducer sync(group, model->parameters());
/// loss.backward();           // loss: the mean over this rank's shard of the batch
/// sync.all_reduce(shard_size / double(global_batch_size));  // the gradient of the global batch's mean
/// optimizer.step();          // identical on every rank
/// @endcode
class GradientAllReducer {
 public:
  /// Plans the buckets of `parameters` (in order, one dtype per bucket).
  /// @param group the process group; must outlive this object.
  /// @param parameters the parameters whose .grad() is summed (CPU tensors), identical in number, shape and
  ///   dtype on every rank.
  /// @param options the bucket size.
  /// @throws c10::Error for bucket_bytes < 1 or a parameter that is not a CPU tensor.
  GradientAllReducer(ProcessGroup& group, std::vector<at::Tensor> parameters,
                     const GradientAllReducerOptions& options = {});

  /// Sets each parameter's gradient to the sum over ranks of weight × its gradient there.
  /// @param weight this rank's factor: 1 / size() averages; local batch / global batch turns per-rank means
  ///   into the global batch's mean when the shards differ in size.
  void all_reduce(double weight);

  /// The number of buckets (all-reduce calls per step).
  int64_t num_buckets() const { return static_cast<int64_t>(buckets_.size()); }
  /// The bytes of gradients one step sends into the all-reduce (without the per-parameter flags).
  int64_t gradient_bytes() const;
  /// Seconds spent inside the all-reduce calls so far (the communication part of the steps).
  double communication_seconds() const { return communication_seconds_; }

 private:
  struct Bucket {
    std::vector<size_t> parameters;  // indices into parameters_
    std::vector<int64_t> offsets;    // start of each parameter in buffer
    int64_t numel = 0;               // gradient elements; the per-parameter flags follow them
    at::Tensor buffer;
  };

  ProcessGroup& group_;
  std::vector<at::Tensor> parameters_;
  std::vector<Bucket> buckets_;
  double communication_seconds_ = 0;
};

}  // namespace mixdist::distributed
