using BenchmarkDotNet.Running;
using CarePlanMesh.Benchmarks;

// dotnet run -c Release --project tests/CarePlanMesh.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(ValidationBenchmarks).Assembly).Run(args);
