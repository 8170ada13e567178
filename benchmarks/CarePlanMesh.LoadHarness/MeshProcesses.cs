namespace CarePlanMesh.LoadHarness;

/// <summary>
/// The processes of a mesh started by deploy/local/up: each service and RabbitMQ from .data/pids/*.pid, PostgreSQL's
/// postmaster from the first line of .data/postgres/postmaster.pid.
/// </summary>
public sealed record MeshProcesses(IReadOnlyList<(string Name, int Pid)> Roots)
{
    public static MeshProcesses Find(string data)
    {
        var roots = new List<(string, int)>();
        var pids = Path.Combine(data, "pids");
        if (Directory.Exists(pids))
            foreach (var file in Directory.GetFiles(pids, "*.pid").Order(StringComparer.Ordinal))
                if (int.TryParse(File.ReadAllText(file).Trim(), out var pid) && Directory.Exists($"/proc/{pid}"))
                    roots.Add((Path.GetFileNameWithoutExtension(file), pid));
        var postmaster = Path.Combine(data, "postgres", "postmaster.pid");
        if (File.Exists(postmaster) && int.TryParse(File.ReadLines(postmaster).FirstOrDefault()?.Trim(), out var postgres))
            roots.Add(("postgresql", postgres));
        return new MeshProcesses(roots);
    }

    public CpuSnapshot Snapshot()
    {
        var all = ProcessCpu.ReadAll();
        var (busy, total) = ProcessCpu.ReadMachine();
        var perProcess = Roots.ToDictionary(r => r.Name, r => ProcessCpu.TreeTicks(all, r.Pid));
        return new CpuSnapshot(perProcess, ProcessCpu.TreeTicks(all, Environment.ProcessId), busy, total, string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)));
    }
}

public sealed record CpuSnapshot(IReadOnlyDictionary<string, long> Ticks, long HarnessTicks, long MachineBusy, long MachineTotal, string LoadAverage);
