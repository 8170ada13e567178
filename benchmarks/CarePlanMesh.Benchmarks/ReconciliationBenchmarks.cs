using BenchmarkDotNet.Attributes;
using CarePlanMesh.Reconciliation;

namespace CarePlanMesh.Benchmarks;

/// <summary>Reconciling one provider's month: 10,000 users × 20 rows of 予定 against the same 実績 with one row in ten changed.</summary>
[MemoryDiagnoser]
public class ReconciliationBenchmarks
{
    const string Provider = "0300000005";
    const int Users = 10_000;
    List<ServiceFact> _plan = null!;
    List<ServiceFact> _actual = null!;
    List<UserLimit> _limits = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plan = [];
        _actual = [];
        _limits = [];
        // User keys as validation makes them: HMAC pseudonyms of insurer and insured number (any 32-byte key).
        var pseudonyms = new Pseudonyms([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);
        for (var user = 0; user < Users; user++)
        {
            var key = pseudonyms.Of("435073", $"{1_000_000_000 + user}");
            _limits.Add(new UserLimit(key, "21", 16765, 5000, 0, user + 1));
            for (var row = 0; row < 20; row++)
            {
                var fact = new ServiceFact(key, Provider, row % 2 == 0 ? "119901" : "119902", $"202506{row + 1:00}", "0900", "0930", 250, 1, user * 20 + row + 1);
                _plan.Add(fact);
                _actual.Add(row % 10 == 0 ? fact with { Count = 2 } : fact);
            }
        }
        // Only meaningful if every user is compared and each one's changed count (rows 0 and 10, one service code) is found.
        var result = Reconciler.Compare(Provider, _plan, _actual, _limits);
        if (result.Summary.UsersCompared != Users || result.Differences.Count != Users || result.Differences.Any(d => d.Kind != DifferenceKind.DifferentCounts))
            throw new InvalidOperationException($"Unexpected result: {result.Summary}");
        Console.WriteLine($"// {Users:N0} users, {_plan.Count:N0} plan and {_actual.Count:N0} actual rows, {result.Differences.Count:N0} differences.");
    }

    [Benchmark]
    public int Reconcile_10000_users_by_20_rows() => Reconciler.Compare(Provider, _plan, _actual, _limits).Differences.Count;
}
