// Gaussian-Sparsemax messages: sparsemax(logits + std * N(0, I)), the projection of a Gaussian perturbation
// of the logits onto the simplex. Sparse without any temperature: the noise scale is fixed and the sender
// controls sparsity through the spread of its logits.
#include "mixdist/distributions/gaussian_sparsemax.h"
#include "channels.h"

namespace mixdist::experiments::signal_game::channels {
namespace {

class GaussianSparsemaxChannel final : public MessageChannel {
 public:
  explicit GaussianSparsemaxChannel(double noise_std) : std_(noise_std) {}

  at::Tensor send(const at::Tensor& logits, double /*temperature*/) const override {
    return GaussianSparsemax(logits, at::full({1}, std_, logits.options()), GaussianSparsemaxOptions(),
                             /*validate_args=*/false)
        .rsample();
  }

 private:
  double std_;
};

}  // namespace

std::unique_ptr<MessageChannel> make_gaussian_sparsemax(double noise_std) {
  return std::make_unique<GaussianSparsemaxChannel>(noise_std);
}

}  // namespace mixdist::experiments::signal_game::channels
