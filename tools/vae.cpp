// `mixdist train vae`: the MNIST mixed-latent VAE (paper §5.3), six latent types.
#include "mixdist/experiments/vae_mnist/experiment.h"
#include "train_command.h"

namespace mixdist::tools {

void register_train_vae(CLI::App& train, const GlobalOptions& global) {
  namespace vae = mixdist::experiments::vae_mnist;
  TrainCommand c;
  c.info = &vae::info();
  c.description = "the MNIST mixed-latent VAE (paper §5.3): six latent types";
  c.variant_option = "--latent";
  c.variant_help = "gaussian | dirichlet | categorical | gs-st | gaussian-sparsemax | mixed-dirichlet";
  c.preset_help = "quick (10 epochs) or paper (500 epochs, IS 1000)";
  c.preset = [](const std::string& latent, const std::string& preset) {
    return vae::make_preset(vae::parse_latent(latent), preset).to_json();
  };
  c.options = {
      {"--face-prior", "face_prior", OptionKind::kText, "authors (default, reproduces the paper) or derived"},
      {"--data-dir", "data_dir", OptionKind::kText, "folder holding mnist/ (default: the project's data/)"},
  };
  for (ConfigOption& o : evaluation_schedule_options()) c.options.push_back(o);
  c.run_prefix = "";
  add_train_command(train, global, std::move(c));
}

}  // namespace mixdist::tools
