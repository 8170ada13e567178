namespace CarePlanMesh.LoadHarness;

/// <summary>One line of /proc/&lt;pid&gt;/stat: the parent and the CPU ticks of the process and of its reaped children.</summary>
public readonly record struct ProcessTicks(int Pid, int ParentPid, long Ticks)
{
    /// <summary>
    /// Reads utime + stime + cutime + cstime (fields 14–17 of proc(5)). The command name in parentheses may hold spaces
    /// and parentheses itself, so the fields are counted from the last ')'.
    /// </summary>
    public static ProcessTicks? Parse(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length)
            return null;
        var head = stat.AsSpan(0, stat.IndexOf(' ')).Trim();
        var fields = stat[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 15 || !int.TryParse(head, out var pid) || !int.TryParse(fields[1], out var parent))
            return null;
        long ticks = 0;
        for (var i = 11; i <= 14; i++)
        {
            if (!long.TryParse(fields[i], out var value))
                return null;
            ticks += value;
        }
        return new ProcessTicks(pid, parent, ticks);
    }
}

/// <summary>CPU time of process trees and of the whole machine, read from /proc.</summary>
public static class ProcessCpu
{
    /// <summary>USER_HZ: the unit of the times in /proc, 100 on every Linux the mesh runs on.</summary>
    public const double MillisecondsPerTick = 10;

    public static IReadOnlyList<ProcessTicks> ReadAll(string proc = "/proc")
    {
        var all = new List<ProcessTicks>();
        foreach (var directory in Directory.EnumerateDirectories(proc))
        {
            if (!int.TryParse(Path.GetFileName(directory), out _))
                continue;
            try
            {
                if (ProcessTicks.Parse(File.ReadAllText(Path.Combine(directory, "stat"))) is { } ticks)
                    all.Add(ticks);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended between listing and reading.
            }
        }
        return all;
    }

    /// <summary>
    /// Ticks of the root and every live descendant, each with its reaped children: PostgreSQL's backends are children of
    /// the postmaster, beam.smp runs under rabbitmq-server. A descendant that exits moves its time into its parent's
    /// cutime/cstime, so the sum keeps growing monotonically while the root lives.
    /// </summary>
    public static long TreeTicks(IReadOnlyList<ProcessTicks> all, int root)
    {
        var children = all.ToLookup(p => p.ParentPid);
        var byPid = all.ToDictionary(p => p.Pid);
        if (!byPid.TryGetValue(root, out var rootTicks))
            return 0;
        var total = 0L;
        var pending = new Stack<ProcessTicks>([rootTicks]);
        while (pending.TryPop(out var process))
        {
            total += process.Ticks;
            foreach (var child in children[process.Pid])
                pending.Push(child);
        }
        return total;
    }

    /// <summary>The machine's busy and total ticks from the first line of /proc/stat (idle and iowait are not busy).</summary>
    public static (long Busy, long Total) ParseMachine(string procStat)
    {
        var line = procStat.AsSpan(0, procStat.IndexOf('\n') is >= 0 and var end ? end : procStat.Length).ToString();
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (values.Length < 6 || values[0] != "cpu")
            throw new FormatException("/proc/stat does not start with the cpu line.");
        // user nice system idle iowait irq softirq steal; guest time is already inside user and nice.
        var fields = values.Skip(1).Take(8).Select(long.Parse).ToArray();
        var total = fields.Sum();
        return (total - fields[3] - fields[4], total);
    }

    public static (long Busy, long Total) ReadMachine() => ParseMachine(File.ReadAllText("/proc/stat"));
}
