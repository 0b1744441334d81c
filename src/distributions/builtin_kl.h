#pragma once

namespace mixdist::detail {

// Registers every KL pair mixdist implements (called once by kl_divergence).
void register_builtin_kls();

}  // namespace mixdist::detail
