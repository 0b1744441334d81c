// experiments/bitvector_vae/report: the four pictures, leaving the generator and mode alone, and the bit
// value counts.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "mixdist/data/synthetic.h"
#include "mixdist/distributions/bernoulli.h"
#include "mixdist/distributions/clipped_gaussian.h"
#include "mixdist/experiments/bitvector_vae/config.h"
#include "mixdist/experiments/bitvector_vae/data.h"
#include "mixdist/experiments/bitvector_vae/evaluation.h"
#include "mixdist/experiments/bitvector_vae/model.h"
#include "mixdist/experiments/bitvector_vae/report.h"
#include "mixdist/train/fused_adam.h"
#include "temp_dir.h"
#include "test_util.h"
#include "tiny_bitvae.h"

namespace mixdist::experiments::bitvector_vae {
namespace {

using mixdist::testing::TempDir;

TEST(BitVectorVaeReport, WritesTheFourPicturesAndRestoresTheGeneratorAndMode) {
  TempDir tmp;
  const BitVaeConfig c = tiny_config(BitLatent::kGaussianSparsemax);
  const BitVaeData data = load_bitvae_data(c);
  at::manual_seed(8);
  BitVaeModel model(c);
  model->train();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<std::string> columns = {"epoch", "train_loss", "valid_neg_elbo", "valid_nll_bpp"};
  const std::vector<std::vector<double>> rows = {
      {1, 3000, 2900, nan}, {2, 2500, 2450, 4.6}, {3, 2300, 2280, 4.3}};
  at::manual_seed(77);
  const std::vector<std::string> written =
      write_report_figures(*model, c, data.test, columns, rows, tmp.path());
  const at::Tensor after = at::rand({3});
  at::manual_seed(77);
  EXPECT_TRUE(after.equal(at::rand({3})));
  EXPECT_TRUE(model->is_training());
  const std::vector<std::string> expected = {tmp.file("reconstructions.png"), tmp.file("prior_samples.png"),
                                             tmp.file("learning_curves.png"), tmp.file("bit_values.png")};
  EXPECT_EQ(written, expected);
  for (const auto& path : expected) EXPECT_GT(std::filesystem::file_size(path), 1000u) << path;
  EXPECT_EQ(tmp.entries().size(), 4u) << "no temporary files left behind";
}

TEST(BitVectorVaeReport, BitValueCountsAverageZerosInsidesAndOnesPerCode) {
  const at::Tensor z = at::tensor({0.0, 0.5, 1.0, 1.0, 0.0, 0.0, 0.2, 1.0}).view({2, 4});
  EXPECT_EQ(bit_value_counts(z), (std::vector<double>{1.5, 1.0, 1.5}));
}

}  // namespace
}  // namespace mixdist::experiments::bitvector_vae
