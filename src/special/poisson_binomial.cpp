#include "mixdist/special/poisson_binomial.h"

#include <vector>

namespace mixdist::special {

at::Tensor poisson_binomial_log_pmf(const at::Tensor& logits) {
  TORCH_CHECK(logits.defined(),
              "mixdist::special::poisson_binomial_log_pmf: argument logits is an undefined "
              "tensor");
  TORCH_CHECK(
      at::isFloatingType(logits.scalar_type()),
      "mixdist::special::poisson_binomial_log_pmf: argument logits must be a floating tensor, got dtype ",
      logits.scalar_type());
  TORCH_CHECK(
      logits.dim() >= 1,
      "mixdist::special::poisson_binomial_log_pmf: argument logits needs a last dim (the K Bernoullis), "
      "got a 0-dim tensor");
  const int64_t K = logits.size(-1);
  const at::Tensor log_p = at::log_sigmoid(logits);
  const at::Tensor log_q = at::log_sigmoid(-logits);

  // After k Bernoullis the table holds counts 0..k only. Growing it by one entry per step (instead of
  // padding with -inf up to K) keeps every logaddexp argument finite: logaddexp(-inf, -inf) has a NaN
  // gradient.
  if (K == 0) {
    std::vector<int64_t> sizes = logits.sizes().vec();
    sizes.back() = 1;
    return at::zeros(sizes, logits.options());
  }
  at::Tensor table = at::zeros_like(logits.narrow(-1, 0, 1));  // log P(0 successes of 0) = 0
  for (int64_t k = 0; k < K; ++k) {
    const at::Tensor lq = log_q.narrow(-1, k, 1);
    const at::Tensor lp = log_p.narrow(-1, k, 1);
    const at::Tensor none_new = table.narrow(-1, 0, 1) + lq;  // count 0: every trial so far failed
    const at::Tensor all_new = table.narrow(-1, k, 1) + lp;   // count k+1: every trial succeeded
    if (k == 0) {
      table = at::cat({none_new, all_new}, -1);
    } else {
      const at::Tensor middle =
          at::logaddexp(table.narrow(-1, 1, k) + lq, table.narrow(-1, 0, k) + lp);  // counts 1..k
      table = at::cat({none_new, middle, all_new}, -1);
    }
  }
  return table;
}

}  // namespace mixdist::special
