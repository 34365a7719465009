#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "energy/kernel_files.h"
#include "energy/proc_stats.h"
#include "fake_sysfs.h"
#include "support.h"

namespace greenbert {
namespace {

std::string pid_stat(int pid, const std::string& name, int ppid, int utime, int stime, int cutime,
                     int cstime, int rss_pages) {
  // Fields 1..24 of proc(5); the unused ones are zero.
  return std::to_string(pid) + " (" + name + ") S " + std::to_string(ppid) +
         " 0 0 0 -1 4194304 0 0 0 0 " + std::to_string(utime) + " " + std::to_string(stime) + " " +
         std::to_string(cutime) + " " + std::to_string(cstime) + " 20 0 1 0 100 1000000 " +
         std::to_string(rss_pages) + " 18446744073709551615\n";
}

TEST(ProcStats, MachineUtilisationLikePsutil) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  auto before = parse_proc_stat("cpu  100 0 50 800 50 0 0 0 30 0\ncpu0 1 2 3 4 5\n");
  auto after = parse_proc_stat("cpu  250 0 100 950 100 0 0 0 80 0\n");
  ASSERT_TRUE(before && after);
  EXPECT_EQ(before->busy, 150u);    // guest is already inside user
  EXPECT_EQ(before->total, 1000u);  // busy + idle + iowait
  // busy +200 over total +400
  EXPECT_DOUBLE_EQ(*utilisation_between(*before, *after), 0.5);
  EXPECT_FALSE(utilisation_between(*after, *after));
  EXPECT_FALSE(parse_proc_stat("intr 1 2 3\n"));
}

TEST(ProcStats, PidStatSurvivesAwkwardCommandNames) {
  auto stat = parse_pid_stat(pid_stat(4242, "a b) (c", 17, 100, 20, 3, 4, 512));
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, 4242);
  EXPECT_EQ(stat->ppid, 17);
  EXPECT_EQ(stat->cpu_ticks, 127u);
  EXPECT_EQ(stat->rss_pages, 512u);
  EXPECT_FALSE(parse_pid_stat("4242 (truncated) S 1 2"));
}

TEST(ProcStats, MeminfoUsedIsTotalMinusAvailable) {
  auto info = parse_meminfo(
      "MemTotal:       16777216 kB\nMemFree:         1048576 kB\nMemAvailable:   12582912 kB\n");
  ASSERT_TRUE(info);
  EXPECT_DOUBLE_EQ(info->total_gib, 16.0);
  EXPECT_DOUBLE_EQ(info->used_gib, 4.0);
  EXPECT_FALSE(parse_meminfo("MemTotal: 5 kB\n"));
}

TEST(ProcStats, ProcessTreeSumsDescendantsOnly) {
  auto proc = testing::temp_dir("proc-tree");
  const long tick = ::sysconf(_SC_CLK_TCK);
  const long page = ::sysconf(_SC_PAGESIZE);
  testing::write_text(proc / "100" / "stat", pid_stat(100, "greenbert", 1, 10, 5, 20, 5, 1000));
  testing::write_text(proc / "101" / "stat", pid_stat(101, "python3", 100, 30, 10, 0, 0, 3000));
  testing::write_text(proc / "102" / "stat", pid_stat(102, "worker", 101, 40, 0, 0, 0, 500));
  testing::write_text(proc / "200" / "stat", pid_stat(200, "other", 1, 999, 999, 0, 0, 99999));
  testing::write_text(proc / "self" / "stat", "not a pid directory\n");
  auto usage = process_tree_usage(proc, 100);
  EXPECT_EQ(usage.processes, 3);
  // utime + stime + cutime + cstime of 100, 101 and 102; 200 is not a descendant.
  EXPECT_DOUBLE_EQ(usage.cpu_seconds, (40.0 + 40.0 + 40.0) / static_cast<double>(tick));
  EXPECT_DOUBLE_EQ(usage.rss_gib, 4500.0 * static_cast<double>(page) / (1024.0 * 1024.0 * 1024.0));
}

TEST(ProcStats, RealProcessTreeIncludesThisProcess) {
  auto usage = process_tree_usage("/proc", ::getpid());
  EXPECT_GE(usage.processes, 1);
  EXPECT_GT(usage.rss_gib, 0.0);
}

TEST(KernelFiles, ReportsWhyAnAttributeCannotBeRead) {
  auto missing = read_kernel_attribute("/nonexistent/greenbert/energy_uj");
  EXPECT_FALSE(missing.text);
  EXPECT_NE(missing.error.find("No such file"), std::string::npos);
  EXPECT_EQ(parse_unsigned("123\n"), 123u);
  EXPECT_FALSE(parse_unsigned("-1"));
  EXPECT_FALSE(parse_unsigned("12 3"));
}

}  // namespace
}  // namespace greenbert
