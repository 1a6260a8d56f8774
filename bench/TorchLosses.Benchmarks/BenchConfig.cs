using System.Collections.Immutable;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace TorchLosses.Benchmarks;

/// <summary>
/// The BenchmarkDotNet configuration: in process (the native library, the thread count and the
/// selection stay as set up here; no per-case project build), a short job (few warm-ups and
/// iterations of ~100 ms each), median and min columns, full JSON and CSV results.
/// </summary>
public static class BenchConfig
{
    public static IConfig Create(Selection selection, string artifacts)
    {
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(selection.WarmupCount)
            .WithIterationCount(selection.IterationCount)
            .WithIterationTime(TimeInterval.FromMilliseconds(selection.IterationMilliseconds))
            .WithEvaluateOverhead(false) // ≥ 100 ms iterations of µs–ms calls: the empty-loop overhead is noise
            .WithId("short-inprocess");
        return ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min)
            .AddExporter(JsonExporter.Full, CsvExporter.Default, MarkdownExporter.GitHub)
            .AddLogger(ConsoleLogger.Default)
            .WithOrderer(new PathInnermostOrderer())
            .WithArtifactsPath(artifacts)
            .WithOption(ConfigOptions.DisableLogFile, false);
    }

    /// <summary>
    /// Runs the paths of one (loss, mode, dtype, N) back to back, so that the ratios to native
    /// compare measurements taken under the same machine load.
    /// </summary>
    private sealed class PathInnermostOrderer : IOrderer
    {
        private static readonly IOrderer Default = DefaultOrderer.Instance;

        public IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarksCase,
            IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
            benchmarksCase
                .OrderBy(c => c.Descriptor.WorkloadMethod.Name)
                .ThenBy(c => Key(c, "Loss"))
                .ThenBy(c => Key(c, "Mode"))
                .ThenBy(c => Key(c, "DType"))
                .ThenBy(c => Key(c, "N"))
                .ThenBy(c => Key(c, "Path"));

        private static object? Key(BenchmarkCase benchmarkCase, string name) =>
            benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value;

        public IEnumerable<BenchmarkCase> GetSummaryOrder(ImmutableArray<BenchmarkCase> benchmarksCases, Summary summary) =>
            GetExecutionOrder(benchmarksCases);

        public string? GetHighlightGroupKey(BenchmarkCase benchmarkCase) => Default.GetHighlightGroupKey(benchmarkCase);

        public string? GetLogicalGroupKey(ImmutableArray<BenchmarkCase> allBenchmarksCases, BenchmarkCase benchmarkCase) =>
            Default.GetLogicalGroupKey(allBenchmarksCases, benchmarkCase);

        public IEnumerable<IGrouping<string, BenchmarkCase>> GetLogicalGroupOrder(IEnumerable<IGrouping<string, BenchmarkCase>> logicalGroups,
            IEnumerable<BenchmarkLogicalGroupRule>? order = null) => Default.GetLogicalGroupOrder(logicalGroups, order);

        public bool SeparateLogicalGroups => Default.SeparateLogicalGroups;
    }
}
