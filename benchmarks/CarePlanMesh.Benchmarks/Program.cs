using BenchmarkDotNet.Running;
using CarePlanMesh.Benchmarks;

// dotnet run -c Release --project benchmarks/CarePlanMesh.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(ValidationBenchmarks).Assembly).Run(args);
