// The bit-vector VAE's model side on tiny synthetic data: every latent family trains (a few Adam steps lower
// a finite loss), the importance-sampled NLL is below -ELBO where both score the same model, the estimator
// matches exact enumeration of a 3-bit model, the exact-bit shares have the values each family gives by
// construction, the "authors" compatibility mode changes only the Gaussian-Sparsemax entropy and proposal
// density, the temperature schedule matches the training loop it describes, and the config, data, evaluation
// and report behave (one clear message for bad input).
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

namespace mixdist::experiments::bitvector_vae {
namespace {

using mixdist::testing::error_message;
using mixdist::testing::expect_error_containing;
using mixdist::testing::max_abs_diff;
using mixdist::testing::TempDir;

// Small enough for a unit test: 16 bits, 32 hidden units, 64 + 32 + 32 synthetic images. The estimators and
// the temperature schedule are the paper's; the learning rate is raised so that a few steps move the loss.
BitVaeConfig tiny_config(BitLatent latent) {
  BitVaeConfig c = make_preset(latent, "quick");
  c.dataset = "synthetic";
  c.train_size = 64;
  c.valid_size = 32;
  c.test_size = 32;
  c.latent_bits = 16;
  c.hidden = 32;
  c.batch_size = 32;
  c.eval_batch_size = 16;
  c.is_chunk = 16;
  c.lr = 1e-2;
  return c;
}

std::string test_name(BitLatent latent) {
  std::string name = latent_name(latent);
  for (char& ch : name)
    if (ch == '-') ch = '_';
  return name;
}

// Adam steps over the training images in batches; returns the loss of each step.
std::vector<double> train_steps(BitVaeModel& model, const BitVaeConfig& c, const at::Tensor& images,
                                int64_t steps) {
  train::FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(c.lr));
  const int64_t batches = images.size(0) / c.batch_size;
  std::vector<double> losses;
  for (int64_t step = 0; step < steps; ++step) {
    model->set_temperature(temperature_at(c, step));
    const int64_t begin = (step % batches) * c.batch_size;
    optimizer.clear_grad();
    const BitVaeObjective o = model->objective(images.slice(0, begin, begin + c.batch_size));
    o.loss.backward();
    optimizer.step();
    losses.push_back(o.loss.item<double>());
  }
  return losses;
}

BitVaeModel trained_model(const BitVaeConfig& c, const BitVaeData& data, int64_t steps) {
  at::manual_seed(1);
  BitVaeModel model(c);
  train_steps(model, c, data.train, steps);
  return model;
}

class EveryBitLatent : public ::testing::TestWithParam<BitLatent> {};

TEST_P(EveryBitLatent, AdamStepsLowerAFiniteLoss) {
  const BitVaeConfig c = tiny_config(GetParam());
  const BitVaeData data = load_bitvae_data(c);
  at::manual_seed(1);
  BitVaeModel model(c);
  const std::vector<double> losses = train_steps(model, c, data.train, 16);
  for (double loss : losses) ASSERT_TRUE(std::isfinite(loss));
  const double first = (losses[0] + losses[1]) / 2, last = (losses[14] + losses[15]) / 2;
  // From ~784 ln 256 = 4347 nats (uniform bytes) the shared pixel layer alone learns the byte histogram.
  EXPECT_LT(last, first - 200.0) << latent_name(GetParam()) << ": loss went from " << first << " to " << last;
}

// The share of latent coordinates exactly 0 or 1 in the decoder's sample is fixed by construction for three
// families (straight-through: all; Gumbel-Softmax and Binary Concrete: none, their samples being clamped
// inside (0, 1)) and strictly in between for the two mixed ones.
TEST_P(EveryBitLatent, ExactBitShareIsWhatTheFamilyGivesByConstruction) {
  const BitVaeConfig c = tiny_config(GetParam());
  const BitVaeData data = load_bitvae_data(c);
  at::manual_seed(2);
  BitVaeModel model(c);
  const BitVaeMetrics m = evaluate(*model, data.test, c, 0);
  at::manual_seed(3);
  const at::Tensor exact = model->objective(data.test).exact_bits;
  const double share = exact.sum().item<double>() / static_cast<double>(data.test.size(0) * c.latent_bits);
  switch (GetParam()) {
    case BitLatent::kGumbelSoftmaxST:
      EXPECT_EQ(share, 1.0);
      EXPECT_EQ(m.exact_share, 1.0);
      break;
    case BitLatent::kGumbelSoftmax:
    case BitLatent::kBinaryConcrete:
      EXPECT_EQ(share, 0.0);
      EXPECT_EQ(m.exact_share, 0.0);
      break;
    case BitLatent::kHardConcrete:
    case BitLatent::kGaussianSparsemax:
      EXPECT_GT(share, 0.02);
      EXPECT_LT(share, 0.98);
      EXPECT_GT(m.exact_share, 0.02);
      EXPECT_LT(m.exact_share, 0.98);
      break;
  }
  EXPECT_DOUBLE_EQ(m.exact_share + m.nonbinary_share, 1.0);
}

// compat "authors" changes the Gaussian-Sparsemax entropy and proposal density (scale std instead of the
// sampler's std / sqrt 2) and nothing else: the same seed gives the same codes, and every other family's
// numbers are bit for bit those of compat "none".
TEST_P(EveryBitLatent, AuthorsCompatChangesOnlyTheGaussianSparsemaxDensity) {
  BitVaeConfig none = tiny_config(GetParam());
  BitVaeConfig authors = none;
  authors.compat = "authors";
  const at::Tensor x = load_bitvae_data(none).test.slice(0, 0, 8);
  at::manual_seed(5);
  BitVaeModel a(none);
  at::manual_seed(5);
  BitVaeModel b(authors);
  for (BitVaeModel* m : {&a, &b}) (*m)->set_temperature(0.7);
  at::NoGradGuard no_grad;
  auto seeded = [](uint64_t seed, auto&& f) {
    at::manual_seed(seed);
    return f();
  };
  const BitVaeObjective oa = seeded(9, [&] { return a->objective(x); });
  const BitVaeObjective ob = seeded(9, [&] { return b->objective(x); });
  const at::Tensor la = seeded(9, [&] { return a->estimate_log_marginal(x, 8, 3); });
  const at::Tensor lb = seeded(9, [&] { return b->estimate_log_marginal(x, 8, 3); });
  EXPECT_TRUE(seeded(11, [&] {
                return a->posterior_sample(x);
              }).equal(seeded(11, [&] { return b->posterior_sample(x); })));
  EXPECT_TRUE(oa.log_likelihood.equal(ob.log_likelihood));
  EXPECT_TRUE(oa.exact_bits.equal(ob.exact_bits));
  if (GetParam() != BitLatent::kGaussianSparsemax) {
    EXPECT_TRUE(oa.loss.equal(ob.loss));
    EXPECT_TRUE(oa.entropy.equal(ob.entropy));
    EXPECT_TRUE(oa.rate.equal(ob.rate));
    EXPECT_TRUE(la.equal(lb));
    return;
  }
  const at::Tensor scores = a->encoder()->forward(x);
  const at::Tensor consistent = bit_gaussian_sparsemax(scores, none.gsp_std).entropy().sum(-1);
  const at::Tensor reference = ClippedGaussian(scores, at::full_like(scores, none.gsp_std),
                                               ClippedGaussianOptions().reproduce_authors(true))
                                   .entropy()
                                   .sum(-1);
  EXPECT_LT(max_abs_diff(oa.entropy, consistent), 1e-4);
  EXPECT_LT(max_abs_diff(ob.entropy, reference), 1e-4);
  EXPECT_GT(max_abs_diff(oa.entropy, ob.entropy), 1.0) << "scales 1 and 1/sqrt(2) on 16 bits";
  EXPECT_GT(max_abs_diff(la, lb), 0.1);
}

INSTANTIATE_TEST_SUITE_P(BitVectorVae, EveryBitLatent, ::testing::ValuesIn(all_latents()),
                         [](const auto& info) { return test_name(info.param); });

// Where the proposal density is the density of the codes the objective feeds the decoder (Binary Concrete,
// Hard Concrete, and Gaussian-Sparsemax in compat "none"), E[importance-sampled log p^] >= ELBO, so NLL <=
// -ELBO up to Monte Carlo noise. Not tested for the others, where it need not hold: Gumbel-Softmax and its
// straight-through variant train on relaxed (or thresholded) codes but are evaluated as discrete bits with a
// Bernoulli proposal, so their ELBO and NLL score different models; Gaussian-Sparsemax in compat "authors"
// weighs its samples with a density of the wrong scale (and its ELBO uses that density's entropy).
class ConsistentBitLatent : public ::testing::TestWithParam<BitLatent> {};

TEST_P(ConsistentBitLatent, ImportanceSampledNllIsBelowNegativeElbo) {
  const BitVaeConfig c = tiny_config(GetParam());
  const BitVaeData data = load_bitvae_data(c);
  BitVaeModel model = trained_model(c, data, 12);
  const at::Tensor x = data.valid.slice(0, 0, 16);
  const BitVaeMetrics m = evaluate(*model, x, c, 64);
  // -ELBO averaged over 16 samples per image, so that its own noise stays well below the gap.
  double neg_elbo = 0;
  constexpr int kRepeats = 16;
  {
    at::NoGradGuard no_grad;
    at::manual_seed(17);
    for (int r = 0; r < kRepeats; ++r) {
      const BitVaeObjective o = model->objective(x);
      neg_elbo += (o.rate - o.log_likelihood).mean().item<double>() / kRepeats;
    }
  }
  EXPECT_TRUE(std::isfinite(m.nll));
  EXPECT_LT(m.nll, neg_elbo) << latent_name(GetParam()) << ": gap " << neg_elbo - m.nll;
  EXPECT_NEAR(m.distortion + m.rate, m.neg_elbo, 1e-9);
  EXPECT_NEAR(m.nll_bpp, m.nll / (784 * std::log(2.0)), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(BitVectorVae, ConsistentBitLatent,
                         ::testing::Values(BitLatent::kBinaryConcrete, BitLatent::kHardConcrete,
                                           BitLatent::kGaussianSparsemax),
                         [](const auto& info) { return test_name(info.param); });

// With 3 bits, log p(x) = logsumexp over the 8 codes of log p(x|z) + 3 log(1/2) is exact. The Gumbel-Softmax
// model's estimator draws Bernoulli(sigmoid(score)) bits, so log p^ = log p + log(mean of w_s), w = p(x, z) /
// (q(z) p(x)) with E_q[w] = 1; its standard error is sqrt(Var_q[w] / S), and Var_q[w] = sum_z q(z) w(z)^2 - 1
// is itself computed exactly by enumeration.
TEST(BitVectorVaeImportanceSampling, MatchesExactEnumerationOfAThreeBitModel) {
  BitVaeConfig c = tiny_config(BitLatent::kGumbelSoftmax);
  c.latent_bits = 3;
  const BitVaeData data = load_bitvae_data(c);
  BitVaeModel model = trained_model(c, data, 8);
  model->eval();
  const at::Tensor x = data.test.slice(0, 0, 2);
  at::Tensor exact, standard_error;
  {
    at::NoGradGuard no_grad;
    const at::Tensor codes =
        at::tensor({0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1}, at::kFloat)
            .view({8, 1, 3});
    const at::Tensor log_joint =
        model->decoder()->log_likelihood(x, codes.expand({8, 2, 3})).to(at::kDouble) -
        3 * std::log(2.0);  // [8, 2]
    exact = at::logsumexp(log_joint, 0);
    const at::Tensor log_q = Bernoulli(model->encoder()->forward(x)).log_prob(codes).sum(-1).to(at::kDouble);
    const at::Tensor log_w = log_joint - log_q - exact;
    const at::Tensor variance = (log_q + 2 * log_w).exp().sum(0) - 1;
    constexpr int64_t kSamples = 1000;
    standard_error = (variance.clamp_min(0) / kSamples).sqrt();
  }
  at::manual_seed(23);
  const at::Tensor estimate =
      model->estimate_log_marginal(x, 1000, 300);  // several chunks, a partial last one
  for (int64_t b = 0; b < 2; ++b) {
    const double tolerance = 4 * standard_error[b].item<double>() + 1e-4;
    EXPECT_NEAR(estimate[b].item<double>(), exact[b].item<double>(), tolerance)
        << "image " << b << ", standard error " << standard_error[b].item<double>();
    EXPECT_LT(tolerance, 0.5) << "the check would be vacuous";
  }
}

TEST(BitVectorVaeTemperature, MatchesTheAnnealingLoopItDescribes) {
  struct Schedule {
    double decay, min;
    int64_t interval, steps;
  };
  for (const Schedule s : {Schedule{1e-5, 0.5, 1000, 80000}, Schedule{1e-4, 0.5, 1000, 12000},
                           Schedule{0.05, 0.3, 3, 200}, Schedule{0.0, 0.5, 1000, 3000}}) {
    BitVaeConfig c = tiny_config(BitLatent::kHardConcrete);
    c.temperature_decay = s.decay;
    c.temperature_min = s.min;
    c.temperature_interval = s.interval;
    // The training loop: tau starts at 1 and is reset after every step t with t % interval == 0.
    double tau = 1.0;
    ASSERT_EQ(temperature_at(c, 0), tau);
    for (int64_t t = 0; t < s.steps; ++t) {
      if (t % s.interval == 0) tau = std::max(s.min, std::exp(-s.decay * static_cast<double>(t)));
      ASSERT_EQ(temperature_at(c, t + 1), tau) << "decay " << s.decay << " after step " << t;
    }
  }
  const BitVaeConfig st = make_preset(BitLatent::kGumbelSoftmaxST, "paper");
  EXPECT_DOUBLE_EQ(temperature_at(st, 6001), std::exp(-0.6));
  EXPECT_EQ(temperature_at(st, 7001), 0.5);
  const BitVaeConfig gs = make_preset(BitLatent::kGumbelSoftmax, "paper");
  EXPECT_GT(temperature_at(gs, 69001), 0.5);
  EXPECT_EQ(temperature_at(gs, 70001), 0.5);
  const BitVaeConfig gsp = make_preset(BitLatent::kGaussianSparsemax, "paper");
  EXPECT_EQ(temperature_at(gsp, 50000), 1.0);
  expect_error_containing([&] { temperature_at(gs, -1); }, "completed_steps must be >= 0, got -1");
}

TEST(BitVectorVaeConfig, RoundTripsThroughJsonForEveryLatentAndPreset) {
  for (BitLatent latent : all_latents())
    for (const char* preset : {"quick", "paper"}) {
      BitVaeConfig c = make_preset(latent, preset);
      c.seed = 13;
      c.compat = "authors";
      c.data_dir = "/some/where";
      c.lr = 1.2345678901234567e-3;
      const BitVaeConfig back = BitVaeConfig::from_json(c.to_json());
      EXPECT_EQ(back.to_json(), c.to_json());
      EXPECT_EQ(back.latent, latent);
      EXPECT_EQ(back.lr, c.lr);
      EXPECT_EQ(back.preset, preset);
      EXPECT_EQ(back.compat, "authors");
      const nlohmann::ordered_json j = nlohmann::ordered_json::parse(c.to_json());
      EXPECT_EQ(j.begin().key(), "experiment");
      EXPECT_EQ(j["experiment"], "bitvector_vae");
      EXPECT_EQ(j["latent"], latent_name(latent));
    }
}

TEST(BitVectorVaeConfig, PresetsFollowThePaper) {
  struct Expected {
    BitLatent latent;
    double lr, decay;
  };
  for (const Expected e :
       {Expected{BitLatent::kGumbelSoftmax, 1e-3, 1e-5}, Expected{BitLatent::kGumbelSoftmaxST, 5e-4, 1e-4},
        Expected{BitLatent::kBinaryConcrete, 2e-3, 1e-5}, Expected{BitLatent::kHardConcrete, 1e-3, 1e-5},
        Expected{BitLatent::kGaussianSparsemax, 1e-3, 0.0}}) {
    for (const char* preset : {"paper", "quick"}) {
      const BitVaeConfig c = make_preset(e.latent, preset);
      SCOPED_TRACE(latent_name(e.latent) + " " + preset);
      EXPECT_EQ(c.lr, e.lr);
      EXPECT_EQ(c.temperature_decay, e.decay);
      EXPECT_EQ(c.seed, 42);
      EXPECT_EQ(c.compat, "none");
      EXPECT_EQ(c.dataset, "fashion-mnist");
      EXPECT_EQ(c.train_size, 55000);
      EXPECT_EQ(c.valid_size, 5000);
      EXPECT_EQ(c.test_size, 10000);
      EXPECT_EQ(c.latent_bits, 128);
      EXPECT_EQ(c.hidden, 128);
      EXPECT_EQ(c.out_rank, 5);
      EXPECT_EQ(c.batch_size, 64);
      EXPECT_EQ(c.temperature_min, 0.5);
      EXPECT_EQ(c.temperature_interval, 1000);
      EXPECT_EQ(c.logit_clamp, 85.0);
      EXPECT_EQ(c.gsp_std, 1.0);
      EXPECT_EQ(c.valid_is_samples, 16);
      EXPECT_NO_THROW(c.validate());
    }
    const BitVaeConfig paper = make_preset(e.latent, "paper");
    EXPECT_EQ(paper.epochs, 100);
    EXPECT_EQ(paper.final_is_samples, 1024);
    EXPECT_EQ(paper.final_valid_size, 0);
    EXPECT_EQ(paper.final_test_size, 0);
    EXPECT_EQ(validation_is_samples(paper, 19), 16);
    EXPECT_EQ(validation_is_samples(paper, 20), 64);
    EXPECT_EQ(validation_is_samples(paper, 100), 64);
    const BitVaeConfig quick = make_preset(e.latent, "quick");
    EXPECT_EQ(quick.epochs, 10);
    EXPECT_EQ(quick.final_is_samples, 64);
    EXPECT_EQ(quick.final_valid_size, 2048);
    EXPECT_EQ(quick.final_test_size, 2048);
    for (int64_t epoch = 1; epoch <= 40; ++epoch) EXPECT_EQ(validation_is_samples(quick, epoch), 16);
  }
  EXPECT_EQ(BitVaeConfig().to_json(), make_preset(BitLatent::kGumbelSoftmax, "paper").to_json());
}

TEST(BitVectorVaeConfig, RejectsBadInputWithOneClearMessage) {
  expect_error_containing(
      [] { parse_latent("gumbel"); },
      "unknown latent 'gumbel'; valid latents: gs, gs-st, binary-concrete, hard-concrete, "
      "gaussian-sparsemax");
  expect_error_containing([] { make_preset(BitLatent::kGumbelSoftmax, "fast"); },
                          "unknown preset 'fast'; valid presets: quick, paper");
  const std::string json = BitVaeConfig().to_json();
  auto with = [&](const std::string& from, const std::string& to) {
    std::string j = json;
    const size_t at = j.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return j.replace(at, from.size(), to);
  };
  expect_error_containing(
      [&] { BitVaeConfig::from_json(with("\"latent\": \"gs\"", "\"latent\": \"gumbel\"")); },
      "config.json: key 'latent': unknown latent 'gumbel'; valid latents: gs,");
  expect_error_containing(
      [&] { BitVaeConfig::from_json(with("\"seed\"", "\"learning_rate\": 1, \"seed\"")); },
      "config.json: unknown key 'learning_rate'");
  expect_error_containing([&] { BitVaeConfig::from_json(with("\"bitvector_vae\"", "\"vae_mnist\"")); },
                          "this run folder belongs to experiment 'vae_mnist', not 'bitvector_vae'");
  expect_error_containing(
      [&] { BitVaeConfig::from_json(with("\"compat\": \"none\"", "\"compat\": \"paper\"")); },
      "compat must be 'none' or 'authors', got 'paper'");
  expect_error_containing([&] { BitVaeConfig::from_json(with("\"epochs\": 100,", "")); },
                          "config.json: missing key 'epochs'");
  BitVaeConfig c;
  c.is_chunk = 0;
  expect_error_containing([&] { c.validate(); }, "is_chunk must be >= 1, got 0");
  c = BitVaeConfig();
  c.temperature_min = 0;
  expect_error_containing([&] { c.validate(); }, "temperature_min must be in (0, 1], got 0");
  c = BitVaeConfig();
  c.dataset = "mnist";
  expect_error_containing([&] { c.validate(); },
                          "dataset must be 'fashion-mnist' or 'synthetic', got 'mnist'");
  c = BitVaeConfig();
  c.valid_size = 5001;
  expect_error_containing([&] { c.validate(); }, "train_size + valid_size must be <= 60000");
}

TEST(BitVectorVaeData, MissingFashionMnistNamesTheFolderAndHowToInstallIt) {
  TempDir tmp;
  BitVaeConfig c;
  c.data_dir = tmp.path();
  const std::string message = error_message([&] { load_bitvae_data(c); });
  EXPECT_NE(message.find("Fashion-MNIST train data not found"), std::string::npos) << message;
  EXPECT_NE(message.find(tmp.file("train-images-idx3-ubyte")), std::string::npos) << message;
  EXPECT_NE(message.find("apt-get install dataset-fashion-mnist"), std::string::npos) << message;
}

TEST(BitVectorVaeData, SyntheticImagesAreDeterministicBytes) {
  const BitVaeConfig c = tiny_config(BitLatent::kGumbelSoftmax);
  const BitVaeData a = load_bitvae_data(c), b = load_bitvae_data(c);
  for (const char* split : {"train", "valid", "test"}) {
    const at::Tensor& t = split_images(a, split);
    EXPECT_EQ(t.scalar_type(), at::kByte) << split;
    EXPECT_EQ(t.size(1), 784) << split;
    EXPECT_TRUE(t.equal(split_images(b, split))) << split;
  }
  EXPECT_EQ(a.train.size(0), 64);
  EXPECT_EQ(a.valid.size(0), 32);
  EXPECT_EQ(a.test.size(0), 32);
  const at::Tensor grey = data::make_synthetic_images(128, c.seed);
  EXPECT_TRUE(at::cat({a.train, a.valid, a.test}).equal(grey.mul(255).round().to(at::kByte)));
  expect_error_containing([&] { split_images(a, "validation"); },
                          "unknown split 'validation'; valid splits: train, valid, test");
}

// Only where Debian's dataset-fashion-mnist is installed: the validation images are the last ones of the
// training file, whatever train_size is.
TEST(BitVectorVaeData, FashionMnistSplitsAreTheDocumentedRanges) {
  BitVaeConfig c;
  c.train_size = 100;
  c.test_size = 10;
  BitVaeData d;
  try {
    d = load_bitvae_data(c);
  } catch (const c10::Error& e) {
    GTEST_SKIP() << "Fashion-MNIST not installed: " << e.what_without_backtrace();
  }
  EXPECT_EQ(d.train.sizes(), (std::vector<int64_t>{100, 784}));
  EXPECT_EQ(d.valid.sizes(), (std::vector<int64_t>{5000, 784}));
  EXPECT_EQ(d.test.sizes(), (std::vector<int64_t>{10, 784}));
  c.train_size = 55000;
  c.test_size = 10000;
  const BitVaeData full = load_bitvae_data(c);
  EXPECT_TRUE(full.train.slice(0, 0, 100).equal(d.train));
  EXPECT_TRUE(full.valid.equal(d.valid));
  EXPECT_TRUE(full.test.slice(0, 0, 10).equal(d.test));
  EXPECT_EQ(full.train.scalar_type(), at::kByte);
  EXPECT_GT(full.train.max().item<int64_t>(), 250);
}

TEST(BitVectorVaeEvaluation, IsRepeatableRestoresTheGeneratorAndRejectsNonFiniteModels) {
  const BitVaeConfig c = tiny_config(BitLatent::kHardConcrete);
  const BitVaeData data = load_bitvae_data(c);
  at::manual_seed(4);
  BitVaeModel model(c);
  model->train();
  at::manual_seed(99);
  const BitVaeMetrics a = evaluate(*model, data.test.slice(0, 0, 20), c, 8);  // a partial last batch
  const at::Tensor after = at::rand({3});
  at::manual_seed(99);
  const at::Tensor expected = at::rand({3});
  EXPECT_TRUE(after.equal(expected));
  EXPECT_TRUE(model->is_training());
  const BitVaeMetrics b = evaluate(*model, data.test.slice(0, 0, 20), c, 8);
  EXPECT_EQ(eval_metric_values(a), eval_metric_values(b));
  EXPECT_EQ(eval_metric_names().size(), eval_metric_values(a).size());
  EXPECT_EQ(eval_metric_names().front(), "nll_bpp");
  EXPECT_EQ(a.images, 20);
  EXPECT_EQ(a.is_samples, 8);
  const BitVaeMetrics elbo_only = evaluate(*model, data.test.slice(0, 0, 20), c, 0);
  EXPECT_TRUE(std::isnan(elbo_only.nll) && std::isnan(elbo_only.nll_bpp));
  EXPECT_EQ(elbo_only.neg_elbo, a.neg_elbo) << "the ELBO pass comes before the importance sampling";

  {
    at::NoGradGuard no_grad;
    for (auto& p : model->decoder()->named_parameters())
      if (p.key() == "pixel.bias") p.value().fill_(std::numeric_limits<float>::quiet_NaN());
  }
  expect_error_containing([&] { evaluate(*model, data.test.slice(0, 0, 4), c, 2); },
                          "evaluate: non-finite metrics");
  EXPECT_TRUE(model->is_training());
}

TEST(BitVectorVaeModel, DecodesMeansAndDrawsPriorCodesOfEachFamily) {
  for (BitLatent latent : all_latents()) {
    SCOPED_TRACE(latent_name(latent));
    const BitVaeConfig c = tiny_config(latent);
    at::manual_seed(6);
    BitVaeModel model(c);
    const at::Tensor z = model->prior_sample(200);
    ASSERT_EQ(z.sizes(), (std::vector<int64_t>{200, 16}));
    EXPECT_GE(z.min().item<double>(), 0.0);
    EXPECT_LE(z.max().item<double>(), 1.0);
    const std::vector<double> counts = bit_value_counts(z);
    const bool discrete = latent == BitLatent::kGumbelSoftmax || latent == BitLatent::kGumbelSoftmaxST;
    if (discrete) {
      EXPECT_EQ(counts[1], 0.0);
    } else if (latent == BitLatent::kBinaryConcrete) {
      EXPECT_EQ(counts[0] + counts[2], 0.0);
    } else {
      for (double n : counts) EXPECT_NEAR(n, 16.0 / 3, 1.0);  // 1/3 each
    }
    const at::Tensor mean = model->decode_mean(z.slice(0, 0, 5));
    ASSERT_EQ(mean.sizes(), (std::vector<int64_t>{5, 784}));
    EXPECT_GE(mean.min().item<double>(), 0.0);
    EXPECT_LE(mean.max().item<double>(), 1.0);
  }
}

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
