#pragma once
// The energy and carbon options every phase-running subcommand shares (train, eval, bench,
// predict, serve, study, energy): --country, --carbon-intensity, --pue, --cpu-power,
// --ram-power, --load-mode, --ram-model, --energy-interval, --sysfs-root.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "energy/energy_options.h"

namespace greenbert::cli {

// Adds the options to `command`, writing into `options` (which must outlive parsing).
void add_energy_options(CLI::App& command, EnergyOptions& options);

// The same options as arguments, those that differ from the defaults only: how a command that
// runs others (study) passes the user's energy settings on.
std::vector<std::string> energy_option_arguments(const EnergyOptions& options);

}  // namespace greenbert::cli
