#include "mixdist/distributions/constraints.h"

#include <c10/util/Exception.h>

#include <functional>
#include <sstream>
#include <utility>

namespace mixdist {
inline namespace distributions {
namespace constraints {
namespace {

// A constraint given by its words and an elementwise or row-wise test.
class FunctionConstraint final : public Constraint {
 public:
  FunctionConstraint(std::string name, std::string requirement, int64_t event_dim,
                     std::function<at::Tensor(const at::Tensor&)> test)
      : name_(std::move(name)),
        requirement_(std::move(requirement)),
        event_dim_(event_dim),
        test_(std::move(test)) {}
  std::string name() const override { return name_; }
  std::string requirement() const override { return requirement_; }
  int64_t event_dim() const override { return event_dim_; }
  at::Tensor check(const at::Tensor& value) const override {
    TORCH_CHECK(value.defined(), "constraint ", name_, ": value is undefined");
    TORCH_CHECK(value.dim() >= event_dim_, "constraint ", name_, ": value needs at least ", event_dim_,
                " dimension(s), got shape ", value.sizes());
    return test_(value);
  }

 private:
  std::string name_, requirement_;
  int64_t event_dim_;
  std::function<at::Tensor(const at::Tensor&)> test_;
};

ConstraintPtr make(std::string name, std::string requirement, int64_t event_dim,
                   std::function<at::Tensor(const at::Tensor&)> test) {
  return std::make_shared<FunctionConstraint>(std::move(name), std::move(requirement), event_dim,
                                              std::move(test));
}

std::string number(double x) {
  std::ostringstream s;
  s.precision(6);
  s << x;
  return s.str();
}

// "[0.5, 0.6, 0]", the first 8 entries of a row and "..." beyond.
std::string row_text(const at::Tensor& row) {
  const at::Tensor r = row.to(at::kDouble).contiguous();
  std::string out = "[";
  const int64_t n = r.numel(), shown = std::min<int64_t>(n, 8);
  for (int64_t i = 0; i < shown; ++i) out += (i ? ", " : "") + number(r.data_ptr<double>()[i]);
  if (n > shown) out += ", ... (" + std::to_string(n) + " entries)";
  return out + "]";
}

}  // namespace

ConstraintPtr real() {
  static const ConstraintPtr c = make("real", "a number (not NaN)", 0, [](const at::Tensor& v) {
    return v.is_floating_point() ? ~v.isnan() : at::ones_like(v, at::kBool);
  });
  return c;
}

ConstraintPtr finite() {
  static const ConstraintPtr c =
      make("finite", "finite", 0, [](const at::Tensor& v) { return v.isfinite(); });
  return c;
}

ConstraintPtr positive() {
  static const ConstraintPtr c =
      make("positive", "positive and finite", 0, [](const at::Tensor& v) { return (v > 0) & v.isfinite(); });
  return c;
}

ConstraintPtr unit_interval() {
  static const ConstraintPtr c =
      make("unit_interval", "in [0, 1]", 0, [](const at::Tensor& v) { return (v >= 0) & (v <= 1); });
  return c;
}

ConstraintPtr open_unit_interval() {
  static const ConstraintPtr c =
      make("open_unit_interval", "inside (0, 1)", 0, [](const at::Tensor& v) { return (v > 0) & (v < 1); });
  return c;
}

ConstraintPtr boolean() {
  static const ConstraintPtr c =
      make("boolean", "0 or 1", 0, [](const at::Tensor& v) { return (v == 0) | (v == 1); });
  return c;
}

ConstraintPtr integer_interval(int64_t lower, int64_t upper) {
  TORCH_CHECK(lower <= upper, "constraints::integer_interval: lower (", lower, ") must be <= upper (", upper,
              ")");
  const std::string range = "[" + std::to_string(lower) + ", " + std::to_string(upper) + "]";
  return make("integer_interval" + range, "a whole number in " + range, 0, [=](const at::Tensor& v) {
    const at::Tensor whole = v.is_floating_point() ? (v == v.floor()) : at::ones_like(v, at::kBool);
    return whole & (v >= lower) & (v <= upper);
  });
}

ConstraintPtr simplex(double tolerance) {
  return make("simplex", "a point of the simplex (entries >= 0 summing to 1)", 1,
              [=](const at::Tensor& v) { return (v >= 0).all(-1) & ((v.sum(-1) - 1).abs() <= tolerance); });
}

ConstraintPtr simplex_interior(double tolerance) {
  return make("simplex_interior", "a point inside the simplex (entries > 0 summing to 1)", 1,
              [=](const at::Tensor& v) { return (v > 0).all(-1) & ((v.sum(-1) - 1).abs() <= tolerance); });
}

ConstraintPtr face_mask() {
  static const ConstraintPtr c =
      make("face_mask", "a face mask (entries 0 or 1, at least one 1 per row)", 1, [](const at::Tensor& v) {
        if (v.scalar_type() == at::kBool) return v.any(-1);
        return ((v == 0) | (v == 1)).all(-1) & (v == 1).any(-1);
      });
  return c;
}

void validate(const Constraint& constraint, const std::string& owner, const std::string& argument,
              const at::Tensor& value) {
  TORCH_CHECK(value.defined(), owner, ": ", argument, " is undefined");
  const at::Tensor ok = constraint.check(value);
  if (ok.all().item<bool>()) return;
  // The first offending entry (or row) in row-major order.
  const at::Tensor index = (~ok).nonzero()[0];
  at::Tensor offending = value;
  std::string where = "[";
  for (int64_t d = 0; d < index.size(0); ++d) {
    const int64_t i = index[d].item<int64_t>();
    offending = offending.select(0, i);
    where += (d ? ", " : "") + std::to_string(i);
  }
  where += "]";
  std::string got = offending.dim() == 0 ? number(offending.item<double>()) : row_text(offending);
  if (index.size(0) > 0) got += " at index " + where;
  TORCH_CHECK(false, owner, ": ", argument, " must be ", constraint.requirement(), ", got ", got);
}

}  // namespace constraints
}  // namespace distributions
}  // namespace mixdist
