// The C core's benchmarks (bench_hot.cc, bench_scenarios.cc): Google Benchmark's table, then the
// ratios that hold on a noisy machine. Ratios use CPU time (this thread's, per operation): on a
// shared machine real time also counts the time other processes had the core.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>

#include <reloaded/buffers.h>

namespace {
class RatioReporter : public benchmark::ConsoleReporter {
public:
    RatioReporter() : ConsoleReporter(OO_Tabular) {}   // no colour codes: the output goes into docs
    void ReportRuns(const std::vector<Run> &runs) override {
        for (const Run &run : runs) nanoseconds_[run.benchmark_name()] = run.GetAdjustedCPUTime();
        ConsoleReporter::ReportRuns(runs);
    }
    void PrintRatios() const {
        std::printf("\nratios (same run):\n");
        Print("three calls / bare model", "HotThreeCalls/iterations:3000000", "BareModel/iterations:3000000");
        Print("one call / bare model   ", "HotOneCall/iterations:3000000", "BareModel/iterations:3000000");
        Print("try write / bare model  ", "HotTryWrite/iterations:3000000", "BareModel/iterations:3000000");
        Print("window / bare model     ", "HotWindow/iterations:3000000", "BareModel/iterations:3000000");
        Print("window behind a call / bare model", "HotWindowBehindACall/iterations:3000000",
              "BareModel/iterations:3000000");
        Print("10,000th / first buffer ", "MatchNthBuffer/10000", "MatchNthBuffer/1");
        Print("new buffer / raw mmap   ", "ColdNewBufferInTwoGiB/iterations:2000", "BaselineRawMmap");
        Print("remote three calls / process_vm_writev", "RemoteThreeCalls/iterations:100000",
              "RemoteBaselineProcessVmWritev/iterations:100000");
        Print("remote append / process_vm_writev     ", "RemoteAppend/iterations:100000",
              "RemoteBaselineProcessVmWritev/iterations:100000");
    }

private:
    void Print(const char *what, const std::string &measured, const std::string &baseline) const {
        auto m = nanoseconds_.find(measured), b = nanoseconds_.find(baseline);
        if (m == nanoseconds_.end() || b == nanoseconds_.end() || b->second <= 0) return;
        std::printf("  %s: %10.2f ns CPU vs %10.2f ns CPU  ratio %.2fx\n", what, m->second, b->second,
                    m->second / b->second);
    }
    std::map<std::string, double> nanoseconds_;
};
}  // namespace

// --write-xor-execute (before Google Benchmark's own flags): the whole run in write-xor-execute
// mode, chosen before the first use (scripts/bench.sh runs the hot paths both ways).
int main(int argc, char **argv) {
    if (argc > 1 && std::string(argv[1]) == "--write-xor-execute") {
        if (buffers_use_write_xor_execute() != BUFFERS_OK) {
            std::fprintf(stderr, "%s\n", buffers_last_error());
            return 1;
        }
        std::printf("write-xor-execute mode: %s\n", buffers_write_xor_execute_reason());
        argv[1] = argv[0];
        argc--;
        argv++;
    }
    benchmark::Initialize(&argc, argv);
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.PrintRatios();
    benchmark::Shutdown();
    return 0;
}
