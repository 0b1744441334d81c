// Gumbel-Softmax messages, softmax((logits + G) / tau) with G ~ Gumbel(0, 1): every symbol gets some weight
// (float softmax tails are not exactly 0). The straight-through variant sends the one-hot of the relaxed
// sample's argmax and passes the relaxed sample's gradient back.
#include "channels.h"
#include "mixdist/distributions/relaxed_one_hot_categorical.h"

namespace mixdist::experiments::signal_game::channels {
namespace {

class GumbelSoftmaxChannel final : public MessageChannel {
 public:
  explicit GumbelSoftmaxChannel(bool straight_through) : straight_through_(straight_through) {}

  at::Tensor send(const at::Tensor& logits, double temperature) const override {
    return RelaxedOneHotCategorical(logits, temperature, straight_through_, /*validate_args=*/false)
        .rsample();
  }

 private:
  bool straight_through_;
};

}  // namespace

std::unique_ptr<MessageChannel> make_gumbel_softmax(bool straight_through) {
  return std::make_unique<GumbelSoftmaxChannel>(straight_through);
}

}  // namespace mixdist::experiments::signal_game::channels
