// Uses the installed mixdist the way a library user would; exits non-zero if the result is wrong.
#include <mixdist/io/atomic_file.h>
#include <mixdist/mixdist.h>
#include <mixdist/report/figures.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>

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

  // nn::linear on float CPU tensors goes through oneDNN (linked privately): proves the package carries it.
  // relu([1, 2] W^T + b), W = [[1, -1], [2, 0.5]], b = [0.25, -2]: ((1-2+0.25)_+, (2+1-2)_+) = (0, 1).
  auto y = mixdist::nn::linear(torch::tensor({{1.0f, 2.0f}}), torch::tensor({{1.0f, -1.0f}, {2.0f, 0.5f}}),
                               torch::tensor({0.25f, -2.0f}), mixdist::nn::Activation::kRelu);
  if (y[0][0].item<float>() != 0.0f || y[0][1].item<float>() != 1.0f) {
    std::cerr << "consumer: wrong nn::linear value: " << y << "\n";
    return 1;
  }

  // A figure pulls cairo (linked privately into the static libmixdist) into this link: proves the package's
  // link interface carries it.
  const std::string png =
      (std::filesystem::temp_directory_path() / ("mixdist-consumer-" + std::to_string(::getpid()) + ".png"))
          .string();
  mixdist::report::save_bar_chart({"a", "b"}, {{"series", {1.0, 2.0}}}, png);
  const std::string bytes = mixdist::io::read_file(png);
  std::filesystem::remove(png);
  if (bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) {
    std::cerr << "consumer: save_bar_chart did not write a PNG\n";
    return 1;
  }
  std::cout << "consumer: mixdist " << MIXDIST_VERSION_STRING << " linked and correct\n";
  return 0;
}
