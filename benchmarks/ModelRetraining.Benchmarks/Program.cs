// dotnet run -c Release --project benchmarks/ModelRetraining.Benchmarks -- --filter '*'
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(ModelRetraining.Benchmarks.PipelineOverheadBenchmarks).Assembly).Run(args);
