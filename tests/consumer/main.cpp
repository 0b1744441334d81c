// Uses the installed mixdist the way a library user would; exits non-zero if the result is wrong.
#include <mixdist/mixdist.h>

#include <cmath>
#include <iostream>

int main() {
  auto x = torch::tensor({{0.5, 0.1, -1.0}, {3.0, 0.0, 0.0}}, torch::kDouble);
  auto p = mixdist::sparsemax(x, -1);
  // Row 0: support {0, 1}, tau = (0.5 + 0.1 - 1) / 2 = -0.2 -> (0.7, 0.3, 0). Row 1: a vertex.
  const double expected[2][3] = {{0.7, 0.3, 0.0}, {1.0, 0.0, 0.0}};
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      if (std::abs(p[i][j].item<double>() - expected[i][j]) > 1e-12) {
        std::cerr << "consumer: wrong sparsemax value at " << i << "," << j << ": " << p << "\n";
        return 1;
      }
    }
  }
  std::cout << "consumer: mixdist " << MIXDIST_VERSION_STRING << " linked and correct\n";
  return 0;
}
