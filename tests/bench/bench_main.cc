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
    // Keyed by function and arguments ("HotOneCall", "MatchNthBuffer/10000"); a benchmark run in
    // repetitions (the hot paths, interleaved with --benchmark_enable_random_interleaving) counts by
    // the median of its repetitions, so one interrupted repetition does not decide the process's figure.
    void ReportRuns(const std::vector<Run> &runs) override {
        for (const Run &run : runs) {
            std::string key = run.run_name.function_name + (run.run_name.args.empty() ? "" : "/" + run.run_name.args);
            if (run.run_type == Run::RT_Aggregate) {
                if (run.aggregate_name == "median") medians_[key] = run.GetAdjustedCPUTime();
            } else {
                nanoseconds_[key] = run.GetAdjustedCPUTime();
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }
    void PrintRatios() const {
        std::printf("\nratios (same run):\n");
        Print("three calls / bare model", "HotThreeCalls", "BareModel");
        Print("three library calls / bare model", "HotThreeLibraryCalls", "BareModel");
        Print("window three calls / bare model", "HotWindowThreeCalls", "BareModel");
        Print("one call / bare model   ", "HotOneCall", "BareModel");
        Print("try write / bare model  ", "HotTryWrite", "BareModel");
        Print("window / bare model     ", "HotWindow", "BareModel");
        Print("window behind a call / bare model", "HotWindowBehindACall",
              "BareModel");
        Print("10,000th / first buffer ", "MatchNthBuffer/10000", "MatchNthBuffer/1");
        Print("new buffer / raw mmap   ", "ColdNewBufferInTwoGiB", "BaselineRawMmap");
        Print("remote three calls / process_vm_writev", "RemoteThreeCalls",
              "RemoteBaselineProcessVmWritev");
        Print("remote append / process_vm_writev     ", "RemoteAppend",
              "RemoteBaselineProcessVmWritev");
    }

private:
    void Print(const char *what, const std::string &measured, const std::string &baseline) const {
        double m = Of(measured), b = Of(baseline);
        if (m <= 0 || b <= 0) return;
        std::printf("  %s: %10.2f ns CPU vs %10.2f ns CPU  ratio %.2fx\n", what, m, b, m / b);
    }
    double Of(const std::string &key) const {
        auto median = medians_.find(key);
        if (median != medians_.end()) return median->second;
        auto single = nanoseconds_.find(key);
        return single != nanoseconds_.end() ? single->second : 0;
    }
    std::map<std::string, double> nanoseconds_, medians_;
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
