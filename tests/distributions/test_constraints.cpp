// Declared constraints (constraints.h): each constraint against hand-picked members and non-members, the
// error message of validate (the user's own value and its index), and that every distribution declares its
// support and parameter constraints and is checked through them.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>

#include <memory>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

namespace c = mixdist::constraints;
using mixdist::testing::expect_error_containing;

std::vector<bool> checked(const c::ConstraintPtr& constraint, const torch::Tensor& value) {
  const auto ok = constraint->check(value).to(torch::kBool).reshape({-1}).contiguous();
  return std::vector<bool>(ok.data_ptr<bool>(), ok.data_ptr<bool>() + ok.numel());
}

TEST(Constraints, ElementwiseConstraintsAcceptExactlyTheirSets) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
  const auto x = torch::tensor({-inf, -1.0, 0.0, 0.5, 1.0, 2.0, inf, nan}, torch::kDouble);
  using V = std::vector<bool>;
  EXPECT_EQ(checked(c::real(), x), (V{true, true, true, true, true, true, true, false}));
  EXPECT_EQ(checked(c::finite(), x), (V{false, true, true, true, true, true, false, false}));
  EXPECT_EQ(checked(c::positive(), x), (V{false, false, false, true, true, true, false, false}));
  EXPECT_EQ(checked(c::unit_interval(), x), (V{false, false, true, true, true, false, false, false}));
  EXPECT_EQ(checked(c::open_unit_interval(), x), (V{false, false, false, true, false, false, false, false}));
  EXPECT_EQ(checked(c::boolean(), x), (V{false, false, true, false, true, false, false, false}));
  EXPECT_EQ(checked(c::integer_interval(0, 1), x), (V{false, false, true, false, true, false, false, false}));
  EXPECT_EQ(checked(c::integer_interval(-1, 5), torch::tensor({-2, -1, 5, 6})),
            (V{false, true, true, false}));
  EXPECT_EQ(c::integer_interval(0, 9)->name(), "integer_interval[0, 9]");
  expect_error_containing([] { c::integer_interval(3, 2); }, "lower (3) must be <= upper (2)");
}

TEST(Constraints, RowConstraintsCheckWholeRows) {
  const auto rows =
      torch::tensor({{0.2, 0.8, 0.0}, {0.5, 0.6, 0.0}, {-0.1, 1.1, 0.0}, {0.3, 0.3, 0.4}}, torch::kDouble);
  using V = std::vector<bool>;
  EXPECT_EQ(checked(c::simplex(), rows), (V{true, false, false, true}));
  EXPECT_EQ(checked(c::simplex_interior(), rows), (V{false, false, false, true}));
  EXPECT_EQ(c::simplex()->event_dim(), 1);
  const auto faces = torch::tensor({{1, 0, 1}, {0, 0, 0}, {1, 2, 0}, {1, 1, 1}});
  EXPECT_EQ(checked(c::face_mask(), faces), (V{true, false, false, true}));
  EXPECT_EQ(checked(c::face_mask(), faces.to(torch::kBool)), (V{true, false, true, true}));
  expect_error_containing([] { c::simplex()->check(torch::tensor(1.0)); }, "needs at least 1 dimension");
}

TEST(Constraints, ValidateNamesOwnerArgumentValueAndIndex) {
  const auto x = torch::tensor({{1.0, 2.0}, {3.0, -4.0}}, torch::kDouble);
  expect_error_containing([&] { c::validate(*c::positive(), "Thing", "rate", x); },
                          "Thing: rate must be positive and finite, got -4 at index [1, 1]");
  expect_error_containing([&] { c::validate(*c::positive(), "Thing", "rate", torch::tensor(-2.0)); },
                          "got -2");
  // A row constraint reports the whole row, shortened beyond 8 entries.
  auto long_row = torch::zeros({2, 20}, torch::kDouble);
  long_row[0][0] = 1.0;
  expect_error_containing([&] { c::validate(*c::simplex(), "Thing", "p", long_row); },
                          "got [0, 0, 0, 0, 0, 0, 0, 0, ... (20 entries)] at index [1]");
  EXPECT_NO_THROW(c::validate(*c::simplex(), "Thing", "p", long_row[0]));
}

TEST(Constraints, EveryDistributionDeclaresItsSupportAndParameters) {
  const auto s = torch::zeros({2, 3}, torch::kDouble), a = torch::ones({2, 3}, torch::kDouble);
  std::vector<std::unique_ptr<mixdist::Distribution>> all;
  all.push_back(std::make_unique<mixdist::Normal>(s, a));
  all.push_back(std::make_unique<mixdist::Bernoulli>(s));
  all.push_back(std::make_unique<mixdist::Categorical>(s));
  all.push_back(std::make_unique<mixdist::Dirichlet>(a));
  all.push_back(std::make_unique<mixdist::ClippedGaussian>(s, a));
  all.push_back(std::make_unique<mixdist::BinaryConcrete>(s, 0.5));
  all.push_back(std::make_unique<mixdist::HardConcrete>(s, 0.5));
  all.push_back(std::make_unique<mixdist::RelaxedOneHotCategorical>(s, 0.5));
  all.push_back(std::make_unique<mixdist::GibbsFaces>(s));
  all.push_back(std::make_unique<mixdist::MaxEntropyFaces>(3));
  all.push_back(std::make_unique<mixdist::MaskedDirichlet>(a > 0, a));
  all.push_back(std::make_unique<mixdist::GaussianSparsemax>(s, a));
  all.push_back(
      std::make_unique<mixdist::MixedDirichlet>(mixdist::MixedDirichletOptions().scores(s).concentration(a)));
  all.push_back(std::make_unique<mixdist::MixedMaxEntDirichletPrior>(3));
  for (const auto& d : all) {
    ASSERT_TRUE(d->support()) << d->name();
    // A draw lies in the declared support.
    EXPECT_TRUE(d->support()->check(d->sample({4}, at::detail::createCPUGenerator(1))).all().item<bool>())
        << d->name();
    for (const auto& [param, constraint] : d->arg_constraints())
      EXPECT_TRUE(constraint) << d->name() << param;
  }
  // The supports by name, as torch.distributions calls them.
  EXPECT_EQ(all[2]->support()->name(), "integer_interval[0, 2]");
  EXPECT_EQ(all[11]->support()->name(), "simplex");
  EXPECT_EQ(all[9]->support()->name(), "face_mask");
  EXPECT_EQ(all[6]->support()->name(), "unit_interval");
  // Parameters are checked against the declared constraint, with the distribution's name.
  expect_error_containing(
      [] {
        mixdist::HardConcrete(torch::tensor({0.0, std::nan("")}), 0.5);
      },
      "HardConcrete: logits must be a number (not NaN), got nan at index [1]");
  expect_error_containing(
      [] {
        mixdist::Categorical(torch::full({2, 2}, -std::numeric_limits<double>::infinity()));
      },
      "logits must be free of NaN with at least one entry above -inf per row, got [-inf, -inf] at index [0]");
}

}  // namespace
