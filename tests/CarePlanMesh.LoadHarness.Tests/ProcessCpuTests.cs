using CarePlanMesh.LoadHarness;

namespace CarePlanMesh.LoadHarness.Tests;

public class ProcessCpuTests
{
    [Fact]
    public void Reads_the_parent_and_the_four_cpu_times_after_a_command_name_with_spaces_and_parentheses()
    {
        var stat = "4242 (postgres: x) (y) S 17604 17604 17604 0 -1 4194560 120 0 0 0 31 7 5 2 20 0 1 0 881 223342592 2048 18446744073709551615";

        Assert.Equal(new ProcessTicks(4242, 17604, 31 + 7 + 5 + 2), ProcessTicks.Parse(stat));
    }

    [Fact]
    public void Refuses_a_truncated_line()
    {
        Assert.Null(ProcessTicks.Parse("4242 (dotnet) S 1 2 3"));
    }

    [Fact]
    public void A_tree_holds_the_root_and_every_descendant_but_not_its_siblings()
    {
        ProcessTicks[] all = [new(10, 1, 100), new(11, 10, 20), new(12, 11, 3), new(13, 1, 4000)];

        Assert.Equal(123, ProcessCpu.TreeTicks(all, 10));
        Assert.Equal(0, ProcessCpu.TreeTicks(all, 99));
    }

    [Fact]
    public void Machine_busy_time_leaves_out_idle_and_iowait()
    {
        var (busy, total) = ProcessCpu.ParseMachine("cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\n");

        Assert.Equal(161, busy);
        Assert.Equal(1181, total);
    }

    [Fact]
    public void Serials_go_on_from_the_newest_one_when_it_lies_ahead_of_now()
    {
        var now = new DateTime(2026, 11, 29, 14, 0, 0, 500);

        Assert.Equal(new DateTime(2026, 11, 29, 14, 30, 1), SendUnits.FirstSerial("20261129143000", now));
        Assert.Equal(new DateTime(2026, 11, 29, 14, 0, 0), SendUnits.FirstSerial("20250525103000", now));
        Assert.Equal(new DateTime(2026, 11, 29, 14, 0, 0), SendUnits.FirstSerial(null, now));
    }
}
