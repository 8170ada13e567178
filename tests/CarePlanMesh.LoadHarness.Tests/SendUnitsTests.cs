using CarePlanMesh.LoadHarness;
using CarePlanMesh.Security;

namespace CarePlanMesh.LoadHarness.Tests;

/// <summary>The offices the harness sends as: the demo's partnered pair and the pairs `cpm dev-pki --load-pairs` adds.</summary>
public sealed class SendUnitsTests : IDisposable
{
    readonly string _demo = Directory.CreateTempSubdirectory("careplanmesh-harness-").FullName;

    public void Dispose() => Directory.Delete(_demo, recursive: true);

    [Fact]
    public void Sends_as_every_licensed_care_office_with_a_licensed_home_care_partner_the_load_pairs_among_them()
    {
        DevelopmentPki.Create(_demo, [.. DevelopmentPki.DefaultOffices, .. DevelopmentPki.LoadTestPairs(3)], passwordIterations: 1);

        Assert.Equal(
            [("0300000100", "0300000005"), ("0391000001", "0392000001"), ("0391000002", "0392000002"), ("0391000003", "0392000003")],
            SendUnits.Pairs(_demo));
        Assert.All(DevelopmentPki.LoadTestPairs(3), office => Assert.True(File.Exists(Path.Combine(_demo, "offices", office.OfficeNumber, "user.json"))));
    }

    [Fact]
    public void The_demo_alone_has_one_pair_and_load_pairs_stay_within_their_bounds()
    {
        DevelopmentPki.Create(_demo, DevelopmentPki.DefaultOffices, passwordIterations: 1);

        Assert.Equal([("0300000100", "0300000005")], SendUnits.Pairs(_demo));
        Assert.Empty(DevelopmentPki.LoadTestPairs(0));
        Assert.Equal(2 * DevelopmentPki.MaxLoadTestPairs, DevelopmentPki.LoadTestPairs(DevelopmentPki.MaxLoadTestPairs).Count);
        Assert.All(DevelopmentPki.LoadTestPairs(DevelopmentPki.MaxLoadTestPairs), office => Assert.True(OfficeNumber.IsValid(office.OfficeNumber), office.OfficeNumber));
        Assert.Throws<ArgumentOutOfRangeException>(() => DevelopmentPki.LoadTestPairs(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DevelopmentPki.LoadTestPairs(DevelopmentPki.MaxLoadTestPairs + 1));
    }
}
