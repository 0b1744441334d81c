// simplex/faces.h: the face lattice (supports, bit-encoded ids, enumeration, dimensions, volumes).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mixdist/mixdist.h>
#include <mixdist/simplex/faces.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using mixdist::testing::error_message;

TEST(Faces, EnumerationCountsPerSizeAreBinomial) {
  for (int64_t K = 1; K <= 12; ++K) {
    auto faces = mixdist::enumerate_faces(K);
    ASSERT_EQ(faces.sizes(), torch::IntArrayRef({(int64_t{1} << K) - 1, K}));
    ASSERT_EQ(faces.scalar_type(), torch::kBool);
    // Pascal's triangle row K.
    std::vector<int64_t> binom(K + 1, 0);
    binom[0] = 1;
    for (int64_t r = 1; r <= K; ++r)
      for (int64_t n = r; n >= 1; --n) binom[n] += binom[n - 1];
    auto sizes = faces.sum(1);
    EXPECT_EQ((sizes == 0).sum().item<int64_t>(), 0) << "the empty set is not a face";
    for (int64_t n = 1; n <= K; ++n) EXPECT_EQ((sizes == n).sum().item<int64_t>(), binom[n]) << K << " " << n;
    // All rows distinct.
    std::set<std::vector<bool>> rows;
    auto acc = faces.accessor<bool, 2>();
    for (int64_t r = 0; r < faces.size(0); ++r) {
      std::vector<bool> row(K);
      for (int64_t k = 0; k < K; ++k) row[k] = acc[r][k];
      rows.insert(row);
    }
    EXPECT_EQ(static_cast<int64_t>(rows.size()), faces.size(0));
  }
}

TEST(Faces, IdsAreBitEncodedAndInEnumerationOrder) {
  // Vertices {0, 2} -> 1 + 4; {1} -> 2; all three -> 7.
  auto masks = torch::tensor({1, 0, 1, 0, 1, 0, 1, 1, 1}, torch::kBool).reshape({3, 3});
  auto ids = mixdist::face_ids(masks);
  EXPECT_EQ(ids.scalar_type(), torch::kLong);
  EXPECT_TRUE(torch::equal(ids, torch::tensor({5, 2, 7}, torch::kLong)));
  // Nonzero floats count as "in the face"; dim selects the simplex dimension.
  EXPECT_TRUE(torch::equal(mixdist::face_ids(masks.to(torch::kFloat).mul(0.3)), ids));
  EXPECT_TRUE(torch::equal(mixdist::face_ids(masks.t(), 0), ids));
  for (int64_t K : {1, 4, 10}) {
    auto faces = mixdist::enumerate_faces(K);
    EXPECT_TRUE(torch::equal(mixdist::face_ids(faces), torch::arange(1, int64_t{1} << K, torch::kLong)));
    auto acc = faces.accessor<bool, 2>();
    for (int64_t r = 0; r < faces.size(0); ++r)
      for (int64_t k = 0; k < K; ++k) ASSERT_EQ(acc[r][k], (((r + 1) >> k) & 1) == 1);
  }
}

TEST(Faces, RoundTripsUpToSixtyTwoVertices) {
  torch::manual_seed(8);
  for (int64_t K : {1, 3, 31, 33, 62}) {
    auto masks = torch::rand({200, K}) < 0.5;
    masks.select(1, K - 1).fill_(true);  // non-empty, and the top bit is exercised
    auto ids = mixdist::face_ids(masks);
    EXPECT_GT(ids.min().item<int64_t>(), 0);
    EXPECT_TRUE(torch::equal(mixdist::face_masks_from_ids(ids, K), masks)) << "K = " << K;
    // Ids -> masks -> ids, checking each bit against popcount-style decoding done here.
    auto back = mixdist::face_masks_from_ids(ids.reshape({10, 20}), K);
    ASSERT_EQ(back.sizes(), torch::IntArrayRef({10, 20, K}));
    EXPECT_TRUE(torch::equal(mixdist::face_ids(back), ids.reshape({10, 20})));
    const int64_t id0 = ids[0].item<int64_t>();
    EXPECT_EQ(mixdist::face_dim(back[0][0]).item<int64_t>(),
              __builtin_popcountll(static_cast<uint64_t>(id0)) - 1);
  }
  const int64_t top = (int64_t{1} << 62) - 1;
  auto full = mixdist::face_masks_from_ids(torch::tensor({top}, torch::kLong), 62);
  EXPECT_TRUE(full.all().item<bool>());
}

TEST(Faces, DimensionsAndSupportOfSparsemaxOutputs) {
  torch::manual_seed(9);
  auto x = 2 * torch::randn({300, 6}, torch::kDouble);
  auto [y, support] = mixdist::sparsemax_with_support(x);
  auto face = mixdist::face_of(y);
  ASSERT_EQ(face.sizes(), y.sizes());
  ASSERT_EQ(face.scalar_type(), torch::kBool);
  EXPECT_TRUE(torch::equal(face.sum(-1), support.squeeze(-1).to(torch::kLong)));
  EXPECT_TRUE(torch::equal(mixdist::face_dim(face), support.squeeze(-1).to(torch::kLong) - 1));
  // A vertex has dimension 0, the whole simplex K - 1.
  auto dims = mixdist::face_dim(mixdist::enumerate_faces(5));
  EXPECT_EQ(dims.min().item<int64_t>(), 0);
  EXPECT_EQ(dims.max().item<int64_t>(), 4);
  auto y2 = torch::tensor({{0.0, 0.7, 0.3}, {1.0, 0.0, 0.0}}, torch::kDouble);
  EXPECT_TRUE(torch::equal(mixdist::face_ids(mixdist::face_of(y2)), torch::tensor({6, 1}, torch::kLong)));
}

TEST(Faces, LogVolumeIsMinusLogFactorialInCoordinateConvention) {
  for (int64_t n = 1; n <= 25; ++n) {
    long double fact = 1;  // (n-1)!
    for (int64_t k = 2; k < n; ++k) fact *= k;
    EXPECT_NEAR(mixdist::log_face_volume(n), static_cast<double>(-std::log(fact)), 1e-12) << n;
  }
  auto n = torch::arange(1, 9, torch::kLong);
  auto v = mixdist::log_face_volume(n);
  EXPECT_TRUE(v.is_floating_point());
  for (int64_t i = 0; i < 8; ++i) EXPECT_NEAR(v[i].item<double>(), mixdist::log_face_volume(i + 1), 1e-6);
  // The convention itself: {y in [0,1]^{n-1} : sum y <= 1} (the face in n - 1 free coordinates) has volume
  // 1/(n-1)!, by Monte Carlo.
  torch::manual_seed(10);
  for (int64_t nv : {3, 4}) {
    auto u = torch::rand({400000, nv - 1}, torch::kDouble);
    const double frac = (u.sum(1) <= 1).to(torch::kDouble).mean().item<double>();
    EXPECT_NEAR(std::log(frac), mixdist::log_face_volume(nv), 0.02) << nv;
  }
}

TEST(Faces, ErrorsNameTheArgument) {
  auto msg = error_message([] { mixdist::face_ids(torch::ones({2, 63}, torch::kBool)); });
  EXPECT_NE(msg.find("K = 63"), std::string::npos) << msg;
  msg = error_message([] { mixdist::enumerate_faces(25); });
  EXPECT_NE(msg.find("K = 25"), std::string::npos) << msg;
  EXPECT_THROW(mixdist::enumerate_faces(0), c10::Error);
  msg = error_message([] { mixdist::face_masks_from_ids(torch::tensor({3, 0}, torch::kLong), 4); });
  EXPECT_NE(msg.find("got 0"), std::string::npos) << msg;
  msg = error_message([] { mixdist::face_masks_from_ids(torch::tensor({16}, torch::kLong), 4); });
  EXPECT_NE(msg.find("got 16"), std::string::npos) << msg;
  EXPECT_THROW(mixdist::face_masks_from_ids(torch::tensor({1}, torch::kLong), 63), c10::Error);
  EXPECT_THROW(mixdist::face_masks_from_ids(torch::tensor({1.0}), 3), c10::Error);
  EXPECT_THROW(mixdist::face_of(torch::tensor(1.0)), c10::Error);
  EXPECT_THROW(mixdist::face_dim(torch::ones({3}), 1), c10::Error);
  msg = error_message([] { mixdist::log_face_volume(torch::tensor({2, 0})); });
  EXPECT_NE(msg.find("got 0"), std::string::npos) << msg;
  EXPECT_THROW(mixdist::log_face_volume(int64_t{0}), c10::Error);
}

}  // namespace
