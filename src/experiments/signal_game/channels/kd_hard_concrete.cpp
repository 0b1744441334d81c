// K-D Hard Concrete messages: sparsemax(lambda * y) for a Gumbel-Softmax sample y. Sparsemax ignores an added
// constant, so this stretches y about the barycentre by lambda > 1 and projects back onto the simplex: the
// stretch pushes symbols of small relaxed weight outside the simplex, and the projection sets them to exactly
// 0, the K-dimensional analogue of the Hard Concrete's stretch-and-rectify. A lower temperature concentrates
// y and so gives sparser messages.
#include "channels.h"
#include "mixdist/distributions/relaxed_one_hot_categorical.h"
#include "mixdist/simplex/sparsemax.h"

namespace mixdist::experiments::signal_game::channels {
namespace {

class KDHardConcreteChannel final : public MessageChannel {
 public:
  explicit KDHardConcreteChannel(double lambda) : lambda_(lambda) {}

  at::Tensor send(const at::Tensor& logits, double temperature) const override {
    const at::Tensor y = RelaxedOneHotCategorical(logits, temperature, /*straight_through=*/false,
                                                  /*validate_args=*/false)
                             .rsample();
    return sparsemax(y * lambda_, -1);
  }

 private:
  double lambda_;
};

}  // namespace

std::unique_ptr<MessageChannel> make_kd_hard_concrete(double lambda) {
  return std::make_unique<KDHardConcreteChannel>(lambda);
}

}  // namespace mixdist::experiments::signal_game::channels
