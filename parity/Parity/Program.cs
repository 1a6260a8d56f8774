using System.Diagnostics;
using TorchLosses.Parity;

var suites = SuiteCatalog.Discover();
var all = SuiteCatalog.Cases(suites);
var options = new RunOptions { Quick = args.Contains("--quick"), Filters = args.Where(a => !a.StartsWith("--")).ToArray() };
var cases = Runner.Select(all, options);
Console.WriteLine($"{all.Count} cases, {cases.Count} selected");
var clock = Stopwatch.StartNew();
var results = Runner.Run(cases, 0);
Console.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s");
foreach (var g in results.GroupBy(r => r.Loss))
    Console.WriteLine($"{g.Key}: {g.Count()} cases, {g.Count(r => r.Passed)} passed, {g.Sum(r => r.Milliseconds) / 1000:F1} s, gradcheck {g.Count(r => r.Gradcheck == "passed")}");
foreach (var r in results.Where(r => !r.Passed))
    Console.WriteLine($"FAIL {r.Name}: {r.Failure}");
