#include "mixdist/distributed/gradient_all_reducer.h"

#include <chrono>
#include <map>

namespace mixdist::distributed {

GradientAllReducer::GradientAllReducer(ProcessGroup& group, std::vector<at::Tensor> parameters,
                                       const GradientAllReducerOptions& options)
    : group_(group), parameters_(std::move(parameters)) {
  TORCH_CHECK(options.bucket_bytes() >= 1, "GradientAllReducer: bucket_bytes must be >= 1, got ",
              options.bucket_bytes());
  // The bucket being filled for each dtype (a buffer holds one dtype).
  std::map<at::ScalarType, size_t> open;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const at::Tensor& p = parameters_[i];
    TORCH_CHECK(p.defined() && p.device().is_cpu(), "GradientAllReducer: parameter ", i,
                " is not a CPU tensor");
    auto it = open.find(p.scalar_type());
    if (it == open.end() ||
        (buckets_[it->second].numel + p.numel()) * static_cast<int64_t>(p.element_size()) >
            options.bucket_bytes()) {
      buckets_.emplace_back();
      it = open.insert_or_assign(p.scalar_type(), buckets_.size() - 1).first;
    }
    Bucket& b = buckets_[it->second];
    b.parameters.push_back(i);
    b.offsets.push_back(b.numel);
    b.numel += p.numel();
  }
  for (Bucket& b : buckets_) {
    const at::Tensor& first = parameters_[b.parameters.front()];
    b.buffer = at::empty({b.numel + static_cast<int64_t>(b.parameters.size())}, first.options());
  }
}

int64_t GradientAllReducer::gradient_bytes() const {
  int64_t bytes = 0;
  for (const Bucket& b : buckets_) bytes += b.numel * static_cast<int64_t>(b.buffer.element_size());
  return bytes;
}

void GradientAllReducer::all_reduce(double weight) {
  at::NoGradGuard no_grad;
  for (Bucket& b : buckets_) {
    b.buffer.zero_();
    const int64_t n = static_cast<int64_t>(b.parameters.size());
    for (int64_t k = 0; k < n; ++k) {
      const at::Tensor& g = parameters_[b.parameters[k]].grad();
      if (!g.defined()) continue;
      b.buffer.narrow(0, b.offsets[k], g.numel()).view(g.sizes()).copy_(g);
      b.buffer[b.numel + k] = 1;  // a flag: this rank has a gradient for it
    }
    if (weight != 1.0) b.buffer.narrow(0, 0, b.numel).mul_(weight);
    const auto start = std::chrono::steady_clock::now();
    group_.all_reduce_sum(b.buffer, "the gradients");
    communication_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const at::Tensor flags = b.buffer.narrow(0, b.numel, n).to(at::kDouble);
    const double* defined = flags.data_ptr<double>();
    for (int64_t k = 0; k < n; ++k) {
      if (defined[k] == 0) continue;
      at::Tensor& p = parameters_[b.parameters[k]];
      if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
      p.mutable_grad().copy_(b.buffer.narrow(0, b.offsets[k], p.numel()).view(p.sizes()));
    }
  }
}

}  // namespace mixdist::distributed
