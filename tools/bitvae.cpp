// `mixdist train bitvae`: the Fashion-MNIST bit-vector VAE (paper §5.2), five latent families.
#include "mixdist/experiments/bitvector_vae/experiment.h"
#include "train_command.h"

namespace mixdist::tools {

void register_train_bitvae(CLI::App& train, const GlobalOptions& global) {
  namespace bitvae = mixdist::experiments::bitvector_vae;
  TrainCommand c;
  c.info = &bitvae::info();
  c.description = "the Fashion-MNIST 128-bit bit-vector VAE (paper §5.2): five latent families";
  c.variant_option = "--latent";
  c.variant_help = "gs | gs-st | binary-concrete | hard-concrete | gaussian-sparsemax";
  c.preset_help = "quick (10 epochs, IS 64 on 2048 images) or paper (100 epochs, seed 42, IS 1024)";
  c.preset = [](const std::string& latent, const std::string& preset) {
    return bitvae::make_preset(bitvae::parse_latent(latent), preset).to_json();
  };
  c.options = {
      {"--compat", "compat", OptionKind::kText,
       "none (default: the consistent model) or authors (the reference code's Gaussian-Sparsemax scale "
       "mismatch and its test at temperature 1)"},
      {"--data-dir", "data_dir", OptionKind::kText,
       "folder holding Fashion-MNIST's IDX files (default: /usr/share/datasets/fashion-mnist)"},
  };
  for (ConfigOption& o : evaluation_schedule_options()) c.options.push_back(o);
  c.run_prefix = "bitvae-";
  add_train_command(train, global, std::move(c));
}

}  // namespace mixdist::tools
