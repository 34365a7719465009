// `greenbert info`: the machine and build facts every benchmark should be read with.
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "core/openmp_env.h"
#include "core/system_info.h"
#include "core/threads.h"

namespace greenbert::cli {

void add_info_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Show CPU, instruction set, threads and library versions");
  cmd->callback([] {
    auto info = system_info();
    const dnnl_version_t* dnnl = dnnl_version();
    std::printf("greenbert      %s\n", GREENBERT_VERSION);
    std::printf("cpu            %s\n", info.cpu_model.c_str());
    std::printf("cores          %d physical, %d logical\n", info.physical_cores, info.logical_cpus);
    std::printf("isa            %s\n", info.isa.c_str());
    std::printf("ram            %.1f GiB\n", info.ram_total_gb);
    std::printf("os             %s\n", info.os.c_str());
    std::printf("oneDNN         %d.%d.%d (cpu runtime %s)\n", dnnl->major, dnnl->minor, dnnl->patch,
                dnnl->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other");
    std::printf("threads        %d (default)\n", physical_core_count());
    std::printf("openmp wait    %s\n", openmp_wait_description().c_str());
  });
}

}  // namespace greenbert::cli
