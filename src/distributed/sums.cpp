#include "mixdist/distributed/sums.h"

namespace mixdist::distributed {

std::vector<double> sum_over_ranks(ProcessGroup& group, const std::vector<double>& values,
                                   const std::string& what) {
  if (group.size() == 1) return values;
  // The lengths first: gathering tensors of different sizes would fail inside Gloo without saying why.
  const auto n = static_cast<int64_t>(values.size());
  const std::vector<at::Tensor> lengths = group.all_gather(at::tensor({n}, at::kLong), what + " (lengths)");
  for (int64_t r = 0; r < group.size(); ++r)
    TORCH_CHECK(lengths[r].item<int64_t>() == n, "sum of ", what, ": rank ", r, " has ",
                lengths[r].item<int64_t>(), " values, rank ", group.rank(), " has ", n);
  const at::Tensor mine = at::tensor(values, at::kDouble);
  std::vector<double> total(values.size(), 0.0);
  for (const at::Tensor& part : group.all_gather(mine, what)) {
    const double* p = part.data_ptr<double>();
    for (size_t i = 0; i < total.size(); ++i) total[i] += p[i];
  }
  return total;
}

}  // namespace mixdist::distributed
